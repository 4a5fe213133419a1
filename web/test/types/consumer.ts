// A page that uses the calculator module directly, typed by the module's generated `.d.ts`
// (crates/wasm/build.rs). types.test.mjs compiles it with `tsc --strict` (the types must hold
// the calls and fields below, and must not be `any`: see the @ts-expect-error lines), then runs
// it against the real module.
import init, {
  planDocument,
  planGuarded,
  shareable,
  type JsonOf,
  type PlanOutput,
  type GuardedOutput,
  type InputError,
  type RoleKind,
} from "../../dist/pkg/ecsroles_wasm_full.js";

function parse<T>(text: JsonOf<T>): T {
  return JSON.parse(text) as T;
}

export async function run(wasm: Uint8Array, taskDefinition: string): Promise<string[]> {
  await init({ module_or_path: wasm });
  const seen: string[] = [];
  const out: PlanOutput = parse(planDocument(taskDefinition, { region: "eu-west-1", newRoles: true }, ["iam"]));
  for (const role of out.plan.roles) {
    const kind: RoleKind = role.kind;
    const actions = role.inlinePolicies.flatMap((p) => p.document.statements.flatMap((s) => s.actions ?? []));
    seen.push(`${kind} ${role.provisioning} ${role.assumedBy.join(",")} ${actions.length}`);
  }
  seen.push(`region ${out.plan.region}`);
  seen.push(`renders ${out.renders.map((r) => r.format).join(",")}`);
  // @ts-expect-error: a plan has no such field (the types are not `any`).
  void out.plan.rolez;
  // @ts-expect-error: overrides are checked too.
  planDocument(taskDefinition, { regoin: "eu-west-1" }, []);

  const guarded: GuardedOutput = parse(planGuarded(taskDefinition, undefined, [], '{"deniedActions": ["ecr:*"]}', undefined));
  seen.push(`violations ${guarded.violations.map((v) => v.rule).join(",")}`);

  const shared = parse(shareable(taskDefinition));
  seen.push(`shareable ${shared === null ? "null" : typeof shared.text}`);

  try {
    planDocument("{ not json", undefined, []);
    seen.push("no error");
  } catch (err) {
    const e = err as InputError;
    seen.push(`error at line ${e.line ?? "?"}: ${e.message.length > 0}`);
  }
  return seen;
}
