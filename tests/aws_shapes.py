#!/usr/bin/env python3
"""Every member of AWS's own request shapes is accepted where the spec embeds them.

`service` takes a whole CreateService request (or a describe-services service) and
`clusterConfiguration` a whole CreateCluster request, `expressGatewayService` a whole
CreateExpressGatewayService request, as AWS spells them. This builds a spec
holding every member botocore's ECS model defines for those shapes (and the nested
LoadBalancer, ServiceVolumeConfiguration, ServiceManagedEBSVolumeConfiguration and
ClusterConfiguration), with a value of the member's type, and checks that `ecsroles validate`
reads it (exit 0 or 1, never 2 "unreadable"). Then a misspelt member must be refused (exit 2)
naming the nearest real one.

Usage: tests/aws_shapes.py <ecsroles binary>
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import botocore

DATA = os.path.join(os.path.dirname(botocore.__file__), "data", "ecs", "2014-11-13")


def model():
    path = os.path.join(DATA, "service-2.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    with gzip.open(path + ".gz") as f:
        return json.load(f)


SHAPES = model()["shapes"]


def value(shape_name, depth=0):
    """A minimal value of the shape's type (enums: their first value)."""
    s = SHAPES[shape_name]
    t = s["type"]
    if t == "string":
        return s["enum"][0] if "enum" in s else "x"
    if t in ("integer", "long"):
        return 1
    if t == "boolean":
        return True
    if t == "double" or t == "float":
        return 1.0
    if t == "timestamp":
        return "2024-01-01T00:00:00Z"
    if t == "list":
        return []
    if t == "map":
        return {}
    if t == "structure":
        return {}
    raise SystemExit(f"unknown shape type {t} ({shape_name})")


def every_member(shape_name, override=None):
    out = {m: value(ref["shape"]) for m, ref in SHAPES[shape_name]["members"].items()}
    out.update(override or {})
    return out


def validate(binary, spec):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        return subprocess.run([binary, "validate", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)


def main():
    binary = sys.argv[1]
    ebs = every_member("ServiceManagedEBSVolumeConfiguration")
    volume = every_member("ServiceVolumeConfiguration", {"managedEBSVolume": ebs})
    lb = every_member("LoadBalancer")
    td = {"family": "f", "containerDefinitions": [{"name": "a", "image": "nginx"}]}
    checked = 0
    problems = []
    for shape in ("CreateServiceRequest", "Service"):
        svc = every_member(shape, {"loadBalancers": [lb], "volumeConfigurations": [volume]})
        svc.pop("volumeConfigurations") if shape == "Service" else None
        spec = {"taskDefinition": td, "service": svc,
                "clusterConfiguration": every_member("CreateClusterRequest", {
                    "configuration": every_member("ClusterConfiguration")})}
        r = validate(binary, spec)
        checked += 1
        if r.returncode == 2:
            problems.append(f"{shape}: every member should be readable, got: {r.stderr.strip()}")
        print(f"{shape}: {len(svc)} members -> exit {r.returncode}")
    # An Express Mode service: every member of CreateExpressGatewayService (and of its
    # primaryContainer) is read, as a spec member and as a bare request file.
    express = every_member("CreateExpressGatewayServiceRequest", {
        "primaryContainer": every_member("ExpressGatewayContainer", {"image": "nginx"})})
    express.pop("taskDefinitionArn", None)  # bring-your-own: needs the task definition itself
    for name, doc in [("expressGatewayService", {"expressGatewayService": express}), ("express request", express)]:
        r = validate(binary, doc)
        checked += 1
        if r.returncode == 2:
            problems.append(f"{name}: every member should be readable, got: {r.stderr.strip()}")
        print(f"{name}: {len(express)} members -> exit {r.returncode}")
    r = validate(binary, {"expressGatewayService": {"infrastructureRoleArn": "r", "primaryContainers": {}}})
    checked += 1
    if r.returncode != 2 or '"primaryContainer"' not in r.stderr:
        problems.append(f"expressGatewayService.primaryContainers: expected exit 2 naming primaryContainer, got {r.returncode}: {r.stderr.strip()}")
    # A typo is refused with the nearest real member.
    for wrong, right in [("loadBalancer", "loadBalancers"), ("enableExecCommand", "enableExecuteCommand")]:
        r = validate(binary, {"taskDefinition": td, "service": {wrong: []}})
        checked += 1
        if r.returncode != 2 or f'"{right}"' not in r.stderr:
            problems.append(f"service.{wrong}: expected exit 2 naming {right}, got {r.returncode}: {r.stderr.strip()}")
    print(f"aws shapes: {checked - len(problems)} passed, {len(problems)} failed")
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
