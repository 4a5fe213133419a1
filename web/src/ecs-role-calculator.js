// <ecs-role-calculator>: the ecsroles core (WebAssembly) behind a small UI.
// This file only renders what the core returns: it holds no IAM knowledge of its own.
//
// Attributes: example="<id>" | spec="<JSON document>" (initial input), launch-type="EC2",
// compact (results only), theme="light|dark", guardrails="<JSON policy>" + namespace="<ns>"
// (the platform's verdict, as the controller would reach it), and with resource-name="<name>"
// + platform='{"accountId": …, "namePrefix": …, "rolePath": …}' the controller's whole
// admission (its names, path and account too). Embedding: one <script type="module"> tag.

import { esc, lifecycleHtml } from "./diagram.js";
import { locate } from "./json-locate.js";

const loaded = {};
/** Loads a WebAssembly module once per page, next to this file (works offline once loaded).
 *  The plain module plans and renders the summary, the plan JSON and the IAM documents; the
 *  full one (the same core plus every deployment format and the guardrail evaluator) is
 *  fetched instead only when a page asks for a verdict or a user opens a deployment format. */
/** The core's form data (form.json), fetched once. */
function formData() {
  const url = new URL("./form.json", import.meta.url);
  loaded.form ??= fetch(url)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .catch((err) => Promise.reject(Object.assign(new Error(err?.message ?? String(err)), { file: url.href })));
  return loaded.form;
}

function core(full) {
  const name = full ? "ecsroles_wasm_full" : "ecsroles_wasm";
  loaded[name] ??= import(`./pkg/${name}.js`).then(async (m) => {
    await m.default({ module_or_path: new URL(`./pkg/${name}_bg.wasm`, import.meta.url) });
    return m;
  });
  return loaded[name];
}


/** Launch types and app-access kinds, read from the core's spec schema (not copied here):
 *  `{launchTypes: [...], access: {s3: {resource: "bucket", levels: [...], prefix: true}, …}}`. */
export function formModel(schema) {
  const defs = schema.$defs;
  const deref = (n) => (n?.$ref ? defs[n.$ref.split("/").pop()] : n);
  const access = {};
  for (const [kind, prop] of Object.entries(defs.AccessIntent.properties)) {
    const def = deref((prop.anyOf ?? [prop]).find((x) => x.$ref) ?? prop);
    access[kind] = {
      resource: def.required.find((k) => k !== "access"),
      levels: def.properties.access ? deref(def.properties.access).enum : [],
      prefix: "prefix" in def.properties,
    };
  }
  return { launchTypes: defs.LaunchType.enum, access };
}


const b64url = (bytes) => {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const through = async (bytes, stream) => new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());

/** Share links: `#z=` + base64url of deflated UTF-8 JSON (a 10-container task definition is
 *  ~1–2 KB, not 10). */
export async function encodeState(state) {
  return b64url(await through(new TextEncoder().encode(JSON.stringify(state)), new CompressionStream("deflate-raw")));
}
export async function decodeState(s) {
  return JSON.parse(new TextDecoder().decode(await through(unb64url(s), new DecompressionStream("deflate-raw"))));
}

/** The state a share link in the page's address holds (`#s=`: links made before compression),
 *  or null. A broken link falls back to the defaults. */
async function linkedState() {
  try {
    if (location.hash.startsWith("#z=")) return await decodeState(location.hash.slice(3));
    if (location.hash.startsWith("#s=")) return JSON.parse(new TextDecoder().decode(unb64url(location.hash.slice(3))));
  } catch {
    /* not a link this element made */
  }
  return null;
}

/** One container of the guided form, its optional boxes empty. */
function newContainer(name, image, logGroup = "") {
  return { name, image, logGroup, secrets: "", credentialSpec: "", gmsaUser: "", env: "", router: "", firelens: "" };
}

function defaultForm() {
  return {
    name: "my-service", account: "111122223333", region: "us-east-1", cluster: "prod",
    launchType: "FARGATE", networkMode: "awsvpc",
    containers: [newContainer("app", "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-service:1.0.0", "/ecs/my-service")],
    kmsKey: "", efs: { fileSystemId: "", accessPointId: "", iam: true, readOnly: false },
    targetGroupArn: "", exec: false, scales: false, express: false, guardDuty: false, tlsCa: "", tlsKey: "", latticeTargetGroup: "", bgAlternate: "", bgRule: "", bgHook: "", cdListener: "",
    ebRule: "", scheduleGroup: "", stateMachine: "", sfnSync: false, launchExec: false, launchTags: false,
    pullThroughPrefix: "", execKey: "", execLogging: "", execLogGroup: "", execBucket: "", storageKey: "", noAwslogsOverride: false, fsxId: "", fsxCredentials: "",
    access: [{ kind: "s3", resource: "my-bucket", prefix: "", access: "read" }], statements: "",
  };
}

/** The form's launcher fields and the `launchers[]` member each fills, in the order they go in. */
const LAUNCHER_FIELDS = [["ebRule", "eventBridgeRule"], ["scheduleGroup", "scheduleGroup"], ["stateMachine", "stateMachine"]];

/** Where each filled launcher field's entry sits in `launchers[]` (findings are placed by it). */
function launcherPath(f, field) {
  const i = LAUNCHER_FIELDS.filter(([x]) => f[x]).findIndex(([x]) => x === field);
  return `launchers[${i < 0 ? LAUNCHER_FIELDS.filter(([x]) => f[x]).length : i}]`;
}

/** Where the FSx volume's credentials parameter sits: after the EFS volume when there is one. */
function fsxCredentialsPath(f) {
  return `taskDefinition.volumes[${f.efs.fileSystemId ? 1 : 0}].fsxWindowsFileServerVolumeConfiguration.authorizationConfig.credentialsParameter`;
}

/** A box's `NAME=VALUE` lines as [name, value] pairs (a line without `=` is a name with an
 *  empty value: the core says what is missing). */
function pairs(text) {
  return (text || "").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const i = l.indexOf("=");
    return i > 0 ? [l.slice(0, i).trim(), l.slice(i + 1).trim()] : [l, ""];
  });
}

/** Where a container's domainless CredSpec is (after `credentialspecdomainless:`), if any: the
 *  key of its entry in the spec's credentialSpecs. */
function domainlessLocation(c) {
  return (c.credentialSpec ?? "").trim().match(/^credentialspecdomainless:(.+)$/)?.[1]?.trim();
}

/** The guided form's state as an EcsRoleSetSpec (the core validates everything). */
export function specFromForm(f, model) {
  const td = { family: f.name, networkMode: f.networkMode, requiresCompatibilities: [f.launchType], containerDefinitions: [] };
  const spec = { name: f.name, launchType: f.launchType, taskDefinition: td };
  f.containers.forEach((c) => {
    const cd = { name: c.name, image: c.image };
    if (c.logGroup) cd.logConfiguration = { logDriver: "awslogs", options: { "awslogs-group": c.logGroup, "awslogs-region": f.region, "awslogs-stream-prefix": c.name } };
    const secrets = pairs(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom }));
    if (secrets.length) cd.secrets = secrets;
    const environment = pairs(c.env).map(([name, value]) => ({ name, value }));
    if (environment.length) cd.environment = environment;
    // FireLens, as the task definition spells it: the router's firelensConfiguration, and an
    // application container's awsfirelens options (the core reads each output's plugin).
    if (c.router) cd.firelensConfiguration = { type: c.router };
    const output = pairs(c.firelens);
    if (output.length) cd.logConfiguration = { logDriver: "awsfirelens", options: Object.fromEntries(output) };
    if (c.credentialSpec) cd.credentialSpecs = [c.credentialSpec];
    // Domainless gMSA: the domain user's secret is named inside the CredSpec, as the spec's
    // credentialSpecs gives it (keyed by the location after the prefix).
    const location = domainlessLocation(c);
    if (location && c.gmsaUser) {
      spec.credentialSpecs ??= {};
      spec.credentialSpecs[location] = { ActiveDirectoryConfig: { HostAccountConfig: { PluginInput: { CredentialArn: c.gmsaUser } } } };
    }
    if (f.efs.fileSystemId) cd.mountPoints = [{ sourceVolume: "efs", containerPath: "/mnt/efs", readOnly: !!f.efs.readOnly }];
    td.containerDefinitions.push(cd);
  });
  if (f.efs.fileSystemId) {
    const auth = { iam: f.efs.iam ? "ENABLED" : "DISABLED" };
    if (f.efs.accessPointId) auth.accessPointId = f.efs.accessPointId;
    td.volumes = [{ name: "efs", efsVolumeConfiguration: { fileSystemId: f.efs.fileSystemId, transitEncryption: "ENABLED", authorizationConfig: auth } }];
  }
  if (f.fsxId || f.fsxCredentials) {
    // FSx for Windows File Server, as a task definition volume spells it. Only what the core
    // reads: the domain and share change no role, and a made-up one would leak into the
    // document a user takes from the form.
    const fsx = { fileSystemId: f.fsxId, authorizationConfig: { credentialsParameter: f.fsxCredentials } };
    td.volumes = [...(td.volumes ?? []), { name: "fsx", fsxWindowsFileServerVolumeConfiguration: fsx }];
  }
  for (const k of ["account", "region", "cluster"]) if (f[k]) spec[k] = f[k];
  const service = {};
  if (f.targetGroupArn) service.loadBalancers = [{ targetGroupArn: f.targetGroupArn, containerName: f.containers[0]?.name, containerPort: 80 }];
  if (f.bgAlternate || f.bgRule) {
    // ECS-native blue/green, as CreateService spells it (the core plans its infrastructure role).
    const advancedConfiguration = { alternateTargetGroupArn: f.bgAlternate };
    if (f.bgRule) advancedConfiguration.productionListenerRule = f.bgRule;
    service.loadBalancers = [{ ...(service.loadBalancers?.[0] ?? { containerName: f.containers[0]?.name, containerPort: 80 }), advancedConfiguration }];
  }
  if (f.cdListener) {
    // Blue/green through CodeDeploy: the controller, and the deployment group's production
    // listener as create-deployment-group spells it (the core plans the CodeDeploy role).
    service.deploymentController = { type: "CODE_DEPLOY" };
    spec.codeDeploy = { loadBalancerInfo: { targetGroupPairInfoList: [{ prodTrafficRoute: { listenerArns: [f.cdListener] } }] } };
  }
  if (f.bgHook) service.deploymentConfiguration = { strategy: "BLUE_GREEN", lifecycleHooks: [{ hookTargetArn: f.bgHook, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }] };
  if (f.exec) service.enableExecuteCommand = true;
  if (f.tlsCa || f.tlsKey) {
    // Service Connect TLS, as CreateService spells it (the core reads services[].tls).
    const tls = { issuerCertificateAuthority: { awsPcaAuthorityArn: f.tlsCa } };
    if (f.tlsKey) tls.kmsKey = f.tlsKey;
    // No portName: the form has no named port mapping to point at (the core reads only tls).
    service.serviceConnectConfiguration = { enabled: true, services: [{ tls }] };
  }
  if (f.latticeTargetGroup) {
    // VPC Lattice, as CreateService spells it (the core plans the role a roleArn would name;
    // portName, required by ECS, names no port the form has: the core does not read it).
    service.vpcLatticeConfigurations = [{ targetGroupArn: f.latticeTargetGroup }];
  }
  if (Object.keys(service).length) spec.service = service;
  // Service auto scaling, as register-scalable-target spells it (the core plans Application
  // Auto Scaling's service-linked role).
  // An account setting, not a task definition field (the core plans the agent sidecar's pull).
  if (f.guardDuty) spec.guardDutyRuntimeMonitoring = true;
  // An Express Mode service running this task definition (Express's bring-your-own
  // taskDefinitionArn; the core plans its infrastructure role and checks the container Main).
  if (f.express) spec.expressGatewayService = { serviceName: f.name, ...(f.cluster ? { cluster: f.cluster } : {}), taskDefinitionArn: f.name };
  if (f.scales) spec.scalableTarget = { ServiceNamespace: "ecs", ResourceId: `service/${f.cluster || "default"}/${f.name}`, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 4 };
  // Who else starts the task (the core plans each launcher's role), in LAUNCHER_FIELDS order.
  const launchers = LAUNCHER_FIELDS.filter(([field]) => f[field]).map(([field, member]) => ({
    [member]: f[field], ...(field === "stateMachine" && f.sfnSync ? { sync: true } : {}),
    ...(f.launchExec ? { executeCommand: true } : {}),
    ...(f.launchTags ? { tags: true } : {}),
  }));
  if (launchers.length) spec.launchers = launchers;
  if (f.kmsKey) spec.keys = [{ for: "*", key: f.kmsKey }];
  // The registry's pull through cache rule for the images under this prefix (ECR's
  // DescribePullThroughCacheRules spelling).
  // ECR's prefixes have no trailing slash; "docker-hub/" as typed means "docker-hub".
  const prefix = (f.pullThroughPrefix ?? "").trim().replace(/\/+$/, "");
  if (prefix) spec.pullThroughCacheRules = [{ ecrRepositoryPrefix: prefix }];
  // The cluster's settings, as CreateCluster's configuration spells them.
  const cluster = {};
  // ECS Exec's encryption and logging, as CreateCluster's executeCommandConfiguration spells
  // them (OVERRIDE names where the session output goes).
  const exec = {};
  if (f.execKey) exec.kmsKeyId = f.execKey;
  if (f.execLogging) exec.logging = f.execLogging;
  if (f.execLogging === "OVERRIDE") {
    const where = {};
    if (f.execLogGroup) where.cloudWatchLogGroupName = f.execLogGroup;
    if (f.execBucket) where.s3BucketName = f.execBucket;
    exec.logConfiguration = where;
  }
  if (Object.keys(exec).length) cluster.executeCommandConfiguration = exec;
  if (f.storageKey) cluster.managedStorageConfiguration = { fargateEphemeralStorageKmsKeyId: f.storageKey };
  if (Object.keys(cluster).length) spec.clusterConfiguration = cluster;
  // The EC2 instances' agent settings (ecs.config) that move grants between roles.
  if (f.noAwslogsOverride) spec.agentConfig = { ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: false };
  const app = appSpec(f, model);
  if (app) spec.app = app;
  return spec;
}

/** The spec's `app` from an access panel's state (`{access: [...], statements: "JSON text"}`),
 *  or undefined when it asks for nothing. Statements that are not JSON yet are left out (the
 *  panel says so). */
export function appSpec(app, model) {
  const access = app.access.filter((a) => a.resource).map((a) => {
    const shape = model.access[a.kind];
    const body = { [shape.resource]: a.resource };
    if (shape.prefix) body.prefix = a.prefix || "";
    if (shape.levels.length) body.access = a.access;
    return { [a.kind]: body };
  });
  const { statements } = statementsOf(app.statements);
  const out = {};
  if (access.length) out.access = access;
  if (statements.length) out.statements = statements;
  return Object.keys(out).length ? out : undefined;
}

/** A statements box's text as `{statements, error}`: a list (one object is a list of one),
 *  or the JSON error and no statements while it is not JSON yet. */
function statementsOf(text) {
  if (!(text ?? "").trim()) return { statements: [] };
  try {
    const parsed = JSON.parse(text);
    return { statements: Array.isArray(parsed) ? parsed : [parsed] };
  } catch (err) {
    return { statements: [], error: err.message };
  }
}

const STYLE = `
:host { --bg:#fff; --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --card:#f6f8fa; --accent:#0a5bd3; --ok:#116329; --warn:#7d4e00; --err:#a40e26;
  display:block; color:var(--fg); background:var(--bg);
  /* !important: a page rule like "* { font: 20px serif !important }" matches the host itself and
     would be inherited by everything inside; for important declarations the inner one wins. */
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif !important; }
:host([theme=dark]) { --bg:#0d1117; --fg:#e6edf3; --muted:#9da7b3; --line:#30363d; --card:#161b22; --accent:#58a6ff; --on-accent:#0d1117; --ok:#3fb950; --warn:#d29922; --err:#ff7b72; }
@media (prefers-color-scheme: dark) { :host(:not([theme])) { --bg:#0d1117; --fg:#e6edf3; --muted:#9da7b3; --line:#30363d; --card:#161b22; --accent:#58a6ff; --on-accent:#0d1117; --ok:#3fb950; --warn:#d29922; --err:#ff7b72; } }
* { box-sizing:border-box; }
.bar { display:flex; flex-wrap:wrap; gap:.5rem; align-items:end; padding:.75rem; border-bottom:1px solid var(--line); }
.bar label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); min-width:0; max-width:100%; }
.bar select { max-width:100%; }
input, select, textarea, button { font:inherit; color:var(--fg); background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:.3rem .5rem; }
button { cursor:pointer; background:var(--card); }
button.primary { background:var(--accent); color:var(--on-accent, #fff); border-color:var(--accent); }
.layout { display:grid; grid-template-columns:minmax(320px,2fr) minmax(0,3fr); gap:1rem; padding:.75rem; }
.results, .input { min-width:0; }
:host([compact]) .layout { grid-template-columns:1fr; }
:host([compact]) .input, :host([compact]) .bar { display:none; }
[role=tablist] { display:flex; gap:.25rem; flex-wrap:wrap; margin-bottom:.5rem; }
[role=tab] { border-radius:6px 6px 0 0; }
[role=tab][aria-selected=true] { background:var(--accent); color:var(--on-accent, #fff); border-color:var(--accent); }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
textarea.box { width:100%; font-family:ui-monospace,monospace; font-size:12px; }
details.panel { border:1px solid var(--line); border-radius:8px; margin:.6rem 0 0; padding:.4rem .6rem; }
details.panel > summary { cursor:pointer; font-weight:600; }
.audit-role h3, #explanation h3 { margin:0 0 .25rem; font-size:14px; overflow-wrap:anywhere; }
.audit-role[data-state=missing] { border-color:var(--err); } .audit-role[data-state=broader] { border-color:var(--warn); } .audit-role[data-state=fine] { border-color:var(--ok); }
textarea.doc { width:100%; min-height:420px; font-family:ui-monospace,monospace; font-size:12px; }
.error { color:var(--err); font-weight:600; margin:.25rem 0; }
.finding { font-size:12px; margin:.15rem 0; }
.finding.error { color:var(--err); } .finding.warning { color:var(--warn); font-weight:400; } .finding.info { color:var(--muted); font-weight:400; }
fieldset { border:1px solid var(--line); border-radius:8px; margin:0 0 .6rem; padding:.5rem .6rem; }
legend { color:var(--muted); font-size:12px; }
.row { display:flex; flex-wrap:wrap; gap:.4rem; align-items:end; margin:.25rem 0; }
.row label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); flex:1 1 140px; }
.row label.check { flex-direction:row; align-items:center; gap:.3rem; flex:0 0 auto; }
.summary, .hint { color:var(--muted); margin:.25rem 0 .75rem; display:block; }
.card { border:1px solid var(--line); border-radius:8px; background:var(--card); padding:.6rem .8rem; margin:0 0 .75rem; }
/* A card off screen is not laid out on each keystroke (it keeps its last size as a placeholder). */
#results > .card { content-visibility:auto; contain-intrinsic-size:auto 320px; }
.card h2 { margin:0 0 .25rem; font-size:15px; }
.card .who { color:var(--muted); margin:0 0 .35rem; }
.card ul { margin:.25rem 0; padding-left:1.1rem; }
.stmt { border-top:1px dashed var(--line); padding:.35rem 0; }
.stmt code, .card h2 code { font-size:12px; overflow-wrap:anywhere; }
.who { overflow-wrap:anywhere; }
.sid { font-weight:600; }
.absent { color:var(--muted); }
pre { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.6rem; overflow:auto; max-height:480px; font-size:12px; }
.outputs .actions, .role-actions, .doc-actions { display:flex; flex-wrap:wrap; gap:.4rem; margin:.35rem 0; }
a { color:var(--accent); }
.lifecycle { list-style:none; margin:0 0 .75rem; padding:0; display:grid; grid-auto-flow:column; grid-auto-columns:minmax(0, 1fr); gap:1.1rem; }
.moment { position:relative; min-width:0; }
.moment h3 { font-size:13px; margin:0 0 .35rem; }
.moment:not(:last-child)::after { content:"→"; position:absolute; right:-.95rem; top:0; color:var(--muted); }
.role-box { border:1px solid var(--line); border-radius:8px; padding:.4rem .5rem; margin:0 0 .4rem; font-size:12px; overflow-wrap:anywhere; }
.role-box .principal, .role-box .when, .moment .none { color:var(--muted); font-size:11px; margin:0; }
.role-box strong, .role-box code { display:block; }
.status { font-size:12px; color:var(--muted); min-height:1em; }
.verdict.allowed { border-color:var(--ok); } .verdict.allowed h2 { color:var(--ok); }
.verdict.refused, .verdict.invalid { border-color:var(--err); } .verdict.refused h2, .verdict.invalid h2 { color:var(--err); }
#results[data-stale=true] > :not(#stale) { opacity:.4; }
.card.stale, .card.load-error { border-color:var(--err); } .card.stale h2, .card.load-error h2 { color:var(--err); }
/* Last, so they win over the rules above. Laid out by the element's own width, not the viewport's: a 600 px docs column stacks too. */
:host { container-type:inline-size; }
@container (max-width: 900px) { .layout { grid-template-columns:1fr; } }
@container (max-width: 640px) { .lifecycle { grid-auto-flow:row; gap:.2rem; } .moment:not(:last-child)::after { content:"↓"; position:static; display:block; text-align:center; } }
`;

class EcsRoleCalculator extends HTMLElement {
  static observedAttributes = ["spec", "example", "launch-type", "theme", "compact", "guardrails", "namespace", "resource-name", "platform"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.state = { mode: "paste", text: "", form: defaultForm(), app: { access: [], statements: "" }, tab: "summary", overrides: {}, roles: "", auditRole: "", error: "" };
    this.formatList = [];
    this.exampleList = [];
    this.last = null;
  }

  async connectedCallback() {
    this.shadowRoot.innerHTML = `<style>${STYLE}</style><div class="status" role="status">Loading the role calculator (its WebAssembly module, about 200 KB)…</div>`;
    let form;
    try {
      // The module and the core's form data (form.json beside this file, written by the wasm
      // crate's build script: not in the module, which has no room for data) in parallel.
      [this.wasm, form] = await Promise.all([core(this.hasAttribute("guardrails")), formData()]);
    } catch (err) {
      return this.loadError(err);
    }
    this.form = form;
    this.full = this.hasAttribute("guardrails"); // which module this element holds
    this.readFormats();
    // Titles from the core's form data; texts fetched once, when an example is first needed.
    this.exampleList = form.examples;
    this.model = formModel(form);
    this.specUrl = form.specUrl;
    // Lists the core owns (no ECS facts here): network modes, the lifecycle's moments.
    this.networkModes = form.networkModes;
    this.lifecycle = form.lifecycle;
    this.linked = this.hasAttribute("share") ? null : await linkedState();
    let examplesError = null;
    if (this.linked?.example || this.hasAttribute("example")) await this.loadExamples().catch((err) => (examplesError = err));
    this.restore();
    this.renderShell();
    this.update();
    if (examplesError) this.showExampleError(examplesError);
    this.dispatchEvent(new CustomEvent("ready", { bubbles: true, composed: true }));
  }

  /** The module or its form data could not be fetched or compiled (404, wrong MIME type, a page
   *  CSP without 'wasm-unsafe-eval'): say so, with the fix, instead of "Loading…" forever. */
  loadError(err) {
    const what = err?.file ? `its form data <code>${esc(err.file)}</code>` : `its WebAssembly module <code>${esc(new URL("./pkg/ecsroles_wasm_bg.wasm", import.meta.url).href)}</code>`;
    this.shadowRoot.innerHTML = `<style>${STYLE}</style><div class="card load-error" id="load-error" role="alert">
      <h2>The role calculator could not start</h2>
      <p>It could not load ${what}: <code>${esc(err?.message ?? err)}</code></p>
      <p class="hint">Serve the <code>pkg/</code> folder and <code>form.json</code> next to <code>ecs-role-calculator.js</code> (WebAssembly as <code>application/wasm</code>).
      If the page sets a Content-Security-Policy, its <code>script-src</code> must allow <code>'wasm-unsafe-eval'</code>.</p></div>`;
    this.dispatchEvent(new CustomEvent("plan-error", { detail: { message: String(err?.message ?? err), path: "module" }, bubbles: true, composed: true }));
  }

  /** The input cannot be read: the results shown belong to an earlier input. Say so on them,
   *  dim them and turn copying off, so nobody copies another workload's policy. */
  markStale() {
    const results = this.shadowRoot.getElementById("results");
    if (!results || results.dataset.stale === "true") return;
    results.dataset.stale = "true";
    results.querySelector(".summary")?.setAttribute("data-stale", "true");
    results.insertAdjacentHTML("afterbegin", `<div class="card stale" id="stale" role="status"><h2>Not the roles of the text shown</h2>
      <p class="hint">These results are for the last input that could be read. Fix the error under the text box to update them; copying and downloading are off meanwhile.</p></div>`);
    results.querySelectorAll("#copy, #download, [data-copy]").forEach((b) => { b.disabled = true; });
    this.lastRaw = null; // the next readable input renders afresh
  }

  /** The output formats, and whether the loaded module renders each (the plain one renders
   *  the basic ones, the full one all). */
  readFormats() {
    this.formatList = this.form.formats.map((f) => ({ ...f, here: this.full || f.basic }));
  }

  /** The selected tab needs the full module: fetch it (once), then plan again with it. */
  needsFull() {
    if (this.formatList.find((f) => f.name === this.state.tab)?.here !== false) return false;
    this.loadFull(`renders ${this.state.tab}`);
    return true;
  }

  /** Fetches the full module (once) and plans again with it; `what` says what needs it. */
  loadFull(what) {
    this.loadingFull ??= core(true).then(
      (m) => {
        this.wasm = m;
        this.full = true;
        this.readFormats();
        this.lastRaw = null;
        this.update();
      },
      (err) => {
        this.loadingFull = null;
        const ids = { "reads templates": ["doc-error"], "audits and explains": ["audit-out", "explain-out"] }[what] ?? ["output"];
        for (const id of ids) {
          const box = this.shadowRoot.getElementById(id);
          if (box) box.textContent = `Could not load the module that ${what} (ecsroles_wasm_full): ${err?.message ?? err}`;
        }
      },
    );
  }

  async attributeChangedCallback(name) {
    if (!this.formatList.length) return; // not loaded yet: connectedCallback reads them
    if (name === "spec" || name === "example" || name === "launch-type") {
      if (name === "example" && this.hasAttribute("example")) await this.loadExamples().catch(() => {});
      this.restore(true);
      this.renderShell();
      this.update();
    } else if (["guardrails", "namespace", "resource-name", "platform"].includes(name)) {
      if (this.hasAttribute("guardrails")) {
        this.wasm = await core(true);
        this.full = true;
        this.readFormats();
      }
      this.lastRaw = null;
      this.update();
    }
  }

  /** The examples' texts (examples.json beside this file: not in the module, so a page that
   *  never opens an example never downloads them), shipped compact and shown indented. A
   *  failed fetch leaves them unloaded and is tried again next time. */
  loadExamples() {
    this.examplesLoaded ??= fetch(new URL("./examples.json", import.meta.url))
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`examples.json: HTTP ${r.status}`))))
      .then((texts) => {
        for (const e of this.exampleList) if (texts[e.id]) e.text = JSON.stringify(JSON.parse(texts[e.id]), null, 2);
      })
      .catch((err) => {
        this.examplesLoaded = null;
        throw err;
      });
    return this.examplesLoaded;
  }

  /** An example's text could not be fetched: said where the page shows status, with the file. */
  showExampleError(err) {
    const url = new URL("./examples.json", import.meta.url).href;
    const status = this.shadowRoot.getElementById("status");
    if (status) status.textContent = `Could not load the example (${url}): ${err?.message ?? err}`;
  }

  /** Initial state: share link (page hash) > attributes > first example. */
  restore(ignoreHash = false) {
    const linked = ignoreHash ? null : this.linked;
    if (linked) {
      Object.assign(this.state, linked);
      // A link holds compact JSON, or only the example's id when the text was the example's.
      const example = this.exampleList.find((e) => e.id === linked.example);
      if (linked.text === undefined && example) this.state.text = example.text;
      else if (linked.text !== undefined) this.state.text = indented(linked.text);
      return;
    }
    const example = this.exampleList.find((e) => e.id === this.getAttribute("example"));
    // Without `spec` or `example` the box starts empty: "paste or drop your task definition".
    this.state.text = this.getAttribute("spec") ?? example?.text ?? "";
    this.state.example = this.getAttribute("spec") ? undefined : example?.id;
    this.state.mode = "paste";
    const lt = this.getAttribute("launch-type");
    this.state.overrides = lt ? { launchType: lt } : {};
  }

  get documentText() {
    return this.state.mode === "form" ? JSON.stringify(specFromForm(this.state.form, this.model), null, 2) : this.state.text;
  }

  renderShell() {
    const s = this.state;
    const opts = (list, value) => list.map((v) => `<option ${v === value ? "selected" : ""}>${esc(v)}</option>`).join("");
    this.shadowRoot.innerHTML = `<style>${STYLE}</style>
      <div class="bar">
        <label>Example<select id="example" aria-label="Start from an example"><option value="">—</option>${this.exampleList.map((e) => `<option value="${esc(e.id)}" ${e.id === s.example ? "selected" : ""}>${esc(e.title)}</option>`).join("")}</select></label>
        <label>Launch type override<select id="ov-launchType"><option value="">from the document</option>${opts(this.model.launchTypes, s.overrides.launchType)}</select></label>
        <label>Account<input id="ov-account" size="14" placeholder="from the document" value="${esc(s.overrides.account ?? "")}"></label>
        <label>Region<input id="ov-region" size="12" placeholder="from the document" value="${esc(s.overrides.region ?? "")}"></label>
        <label>Cluster<input id="ov-cluster" size="10" placeholder="from the document" value="${esc(s.overrides.cluster ?? "")}"></label>
        <label>Template variables<input id="ov-vars" size="18" placeholder="NAME=value, …" title="Values for the document's placeholders: \${NAME}, $NAME, {{ must_env &quot;NAME&quot; }}, $(NAME), !Ref NAME" value="${esc(s.overrides.vars ?? "")}"></label>
        <button id="share">Copy share link</button>
        <span class="status" id="status" role="status" aria-live="polite"></span>
        <span class="sr-only" id="announce" aria-live="polite"></span>
      </div>
      <div class="layout">
        <section class="input" aria-label="Workload">
          <div role="tablist" aria-label="Input mode">
            <button role="tab" id="mode-paste" aria-selected="${s.mode === "paste"}" tabindex="${s.mode === "paste" ? 0 : -1}">Paste a task definition</button>
            <button role="tab" id="mode-form" aria-selected="${s.mode === "form"}" tabindex="${s.mode === "form" ? 0 : -1}">Guided form</button>
          </div>
          <div id="input-body"></div>
          <details class="panel" id="audit-panel" ${s.roles ? "open" : ""}><summary>Already have roles? Audit them</summary>
            <label for="roles" class="hint">Paste <code>aws iam get-account-authorization-details --filter Role LocalManagedPolicy AWSManagedPolicy</code> output (every role, trust included), or one role's current policy as JSON: each role is compared, statement by statement, with what this workload needs.</label>
            <textarea id="roles" class="box" rows="5" spellcheck="false" aria-describedby="roles-error" placeholder='{"RoleDetailList": […]} or {"Version": "2012-10-17", "Statement": […]}'>${esc(s.roles)}</textarea>
            <label class="hint" id="audit-role-label" hidden>The pasted policy belongs to <select id="audit-role"></select></label>
            <div id="roles-error" class="error" aria-live="polite"></div><div id="audit-out" aria-live="polite"></div>
          </details>
          <details class="panel" id="explain-panel" ${s.error ? "open" : ""}><summary>Explain an error</summary>
            <label for="error-text" class="hint">Paste a stopped task's reason, a service event or an AccessDenied message: what it means, which role lacks what, and whether this workload's plan grants it.</label>
            <textarea id="error-text" class="box" rows="3" spellcheck="false" placeholder="ResourceInitializationError: unable to pull secrets or registry auth: …">${esc(s.error)}</textarea>
            <div id="explain-out" aria-live="polite"></div>
          </details>
        </section>
        <section class="results" aria-label="Roles">
          <div id="results"></div>
        </section>
      </div>`;
    const $ = (id) => this.shadowRoot.getElementById(id);
    $("example").addEventListener("change", async (e) => {
      const ex = this.exampleList.find((x) => x.id === e.target.value);
      if (!ex) return;
      try {
        await this.loadExamples();
      } catch (err) {
        e.target.value = this.state.example ?? "";
        return this.showExampleError(err);
      }
      Object.assign(this.state, { mode: "paste", text: ex.text, example: ex.id });
      this.renderShell();
      this.update();
    });
    for (const k of ["launchType", "account", "region", "cluster", "vars"]) {
      $(`ov-${k}`).addEventListener("input", (e) => {
        this.state.overrides[k] = e.target.value || undefined;
        this.update();
      });
    }
    $("share").addEventListener("click", () => this.share());
    $("roles").addEventListener("input", (e) => {
      this.state.roles = e.target.value;
      this.updatePanels();
    });
    $("audit-role").addEventListener("change", (e) => {
      this.state.auditRole = e.target.value;
      this.updatePanels();
    });
    $("error-text").addEventListener("input", (e) => {
      this.state.error = e.target.value;
      this.updatePanels();
    });
    // The fixes' copy buttons (the plan's documents, as the role cards copy them).
    for (const out of [$("audit-out"), $("explain-out")]) {
      out.addEventListener("click", (e) => {
        const t = e.target.closest("button");
        if (!t || t.disabled) return;
        if (t.dataset.copy) this.copy(this.roleDocument(t.dataset.kind, t.dataset.copy), t);
        else if (t.dataset.copyText !== undefined) this.copy(this.explained?.plan?.document ? JSON.stringify(this.explained.plan.document, null, 2) : "", t);
      });
    }
    $("mode-paste").addEventListener("click", () => this.setMode("paste"));
    $("mode-form").addEventListener("click", () => this.setMode("form"));
    arrowKeys(this.shadowRoot.querySelector(".input [role=tablist]"));
    this.listenToResults($("results"));
    this.renderInput();
  }

  /** Switching views never loses what the user typed: the pasted text stays as it was (the
   *  paste view offers to replace it with the form's workload, with undo); an empty box takes
   *  the form's workload at once. */
  setMode(mode) {
    if (mode === "paste" && this.state.mode === "form" && !this.state.text.trim()) this.state.text = this.documentText;
    this.state.mode = mode;
    this.renderShell();
    this.update();
    this.shadowRoot.getElementById(`mode-${mode}`)?.focus();
  }

  renderInput() {
    const body = this.shadowRoot.getElementById("input-body");
    if (this.state.mode === "paste") {
      body.innerHTML = `<label for="doc" class="hint">An ECS task definition (as registered, or <code>aws ecs describe-task-definition</code> output), an ecsroles spec or an EcsRoleSet, as JSON (<a href="${esc(this.specUrl)}" target="_blank" rel="noopener">what a document may say</a>).</label>
        <div class="doc-actions"><button id="doc-open">Open a file…</button><input type="file" id="doc-file" accept=".json,application/json,text/plain" hidden><button id="doc-clear">Clear</button><button id="doc-from-form">Use the guided form's workload</button>${this.undoText !== undefined ? `<button id="doc-undo">Undo</button>` : ""}</div>
        <textarea id="doc" class="doc" spellcheck="false" aria-describedby="doc-error" placeholder="Paste or drop your task definition here: the console's JSON, aws ecs describe-task-definition output, a CloudFormation template, a Terraform container_definitions array…">${esc(this.state.text)}</textarea>
        <div id="doc-error" class="error" aria-live="polite"></div><div id="doc-findings"></div>
        ${this.appHtml(this.state.app, "p")}`;
      const doc = body.querySelector("#doc");
      const setText = (text) => {
        if (doc.value !== text) doc.value = text;
        this.state.text = text;
        this.state.example = undefined;
        this.update();
      };
      doc.addEventListener("input", (e) => setText(e.target.value));
      // A file dropped on the box or opened: its text replaces the box's (the browser would
      // otherwise open the dropped file in place of the page).
      const readFile = (file) => file?.text().then(setText);
      doc.addEventListener("dragover", (e) => e.preventDefault());
      doc.addEventListener("drop", (e) => {
        if (!e.dataTransfer?.files?.length) return;
        e.preventDefault();
        readFile(e.dataTransfer.files[0]);
      });
      const panel = body.querySelector("fieldset.app");
      panel.addEventListener("input", (e) => this.onFormInput(e));
      panel.addEventListener("click", (e) => this.onFormClick(e));
      const picker = body.querySelector("#doc-file");
      body.querySelector("#doc-open").addEventListener("click", () => picker.click());
      picker.addEventListener("change", () => readFile(picker.files[0]));
      // Replacing or clearing the box can be undone once.
      const replace = (text) => {
        this.undoText = this.state.text;
        setText(text);
        this.renderInput();
      };
      body.querySelector("#doc-clear").addEventListener("click", () => {
        replace("");
        this.shadowRoot.getElementById("doc").focus();
      });
      body.querySelector("#doc-from-form").addEventListener("click", () => replace(JSON.stringify(specFromForm(this.state.form, this.model), null, 2)));
      body.querySelector("#doc-undo")?.addEventListener("click", () => {
        const text = this.undoText;
        this.undoText = undefined;
        setText(text);
        this.renderInput();
      });
    } else {
      body.innerHTML = this.formHtml();
      // `input` only: `change` fires again on blur, and re-rendering then would swallow the
      // click that caused the blur.
      body.addEventListener("input", (e) => this.onFormInput(e));
      body.addEventListener("click", (e) => this.onFormClick(e));
    }
  }

  formHtml() {
    const f = this.state.form;
    const sel = (id, list, v, path) => `<select id="${id}" data-path="${path}">${list.map((x) => `<option ${x === v ? "selected" : ""}>${x}</option>`).join("")}</select>`;
    const field = (label, id, v, path, extra = "") => `<label>${label}<input id="${id}" value="${esc(v)}" data-path="${path}" ${extra}></label>`;
    const containers = f.containers.map((c, i) => `
      <fieldset><legend>Container ${i + 1}</legend>
        <div class="row">${field("Name", `c-${i}-name`, c.name, `taskDefinition.containerDefinitions[${i}].name`)}
          ${field("Image", `c-${i}-image`, c.image, `taskDefinition.containerDefinitions[${i}].image`)}</div>
        <div class="row">${field("awslogs log group (empty: none)", `c-${i}-logGroup`, c.logGroup, `taskDefinition.containerDefinitions[${i}].logConfiguration.options.awslogs-group`)}</div>
        <div class="row"><label>Secrets, one NAME=valueFrom per line (Secrets Manager ARN, SSM name or ARN)<textarea id="c-${i}-secrets" rows="2" data-path="taskDefinition.containerDefinitions[${i}].secrets">${esc(c.secrets)}</textarea></label></div>
        <div class="row">${field("gMSA credential spec (optional: credentialspec: or credentialspecdomainless: and its S3 or SSM ARN)", `c-${i}-credentialSpec`, c.credentialSpec ?? "", `taskDefinition.containerDefinitions[${i}].credentialSpecs`)}
          ${field("Domainless: the domain user's secret ARN (the CredSpec's CredentialArn)", `c-${i}-gmsaUser`, c.gmsaUser ?? "", `credentialSpecs[${domainlessLocation(c) ?? ""}]`)}</div>
        <div class="row"><label>Environment, one NAME=VALUE per line (an image's settings: aws_fluent_bit_init_s3_1, CW_CONFIG_CONTENT…)<textarea id="c-${i}-env" rows="2" data-path="taskDefinition.containerDefinitions[${i}].environment">${esc(c.env ?? "")}</textarea></label>
          <label>FireLens log router<select id="c-${i}-router" data-path="taskDefinition.containerDefinitions[${i}].firelensConfiguration">${["", "fluentbit", "fluentd"].map((t) => `<option value="${t}" ${t === (c.router ?? "") ? "selected" : ""}>${t || "no"}</option>`).join("")}</select></label></div>
        <div class="row"><label>FireLens output instead of awslogs, one KEY=VALUE per line (Name=opensearch, Host=…, AWS_Auth=On, role_arn=…; Fluentd: @type=…)<textarea id="c-${i}-firelens" rows="2" data-path="taskDefinition.containerDefinitions[${i}].logConfiguration.options">${esc(c.firelens ?? "")}</textarea></label></div>
        ${f.containers.length > 1 ? `<button data-remove-container="${i}">Remove container ${i + 1}</button>` : ""}
      </fieldset>`).join("");
    return `<form id="form" onsubmit="return false">
      <fieldset><legend>Where it runs</legend>
        <div class="row">${field("Workload name", "f-name", f.name, "name")}
          <label>Launch type${sel("f-launchType", this.model.launchTypes, f.launchType, "launchType")}</label>
          <label>Network mode${sel("f-networkMode", this.networkModes, f.networkMode, "taskDefinition.networkMode")}</label></div>
        <div class="row">${field("Account", "f-account", f.account, "account")}${field("Region", "f-region", f.region, "region")}${field("Cluster", "f-cluster", f.cluster, "cluster")}</div>
      </fieldset>
      ${containers}
      <button id="add-container">Add container</button>
      <fieldset><legend>Encryption and volumes</legend>
        <div class="row">${field("KMS key ARN protecting the secrets (optional)", "f-kmsKey", f.kmsKey, "keys[0].key")}</div>
        <div class="row">${field("EFS file system id (optional)", "f-efs-fileSystemId", f.efs.fileSystemId, "taskDefinition.volumes[0].efsVolumeConfiguration")}
          ${field("Access point id", "f-efs-accessPointId", f.efs.accessPointId, "taskDefinition.volumes[0].efsVolumeConfiguration.authorizationConfig")}
          <label class="check"><input type="checkbox" id="f-efs-iam" ${f.efs.iam ? "checked" : ""}>IAM authorization</label>
          <label class="check"><input type="checkbox" id="f-efs-readOnly" ${f.efs.readOnly ? "checked" : ""}>read-only</label></div>
        <div class="row">${field("FSx for Windows file system id (optional)", "f-fsxId", f.fsxId ?? "", "taskDefinition.volumes")}
          ${field("FSx credentials: Secrets Manager or SSM ARN", "f-fsxCredentials", f.fsxCredentials ?? "", fsxCredentialsPath(f))}</div>
        <div class="row">${field("Fargate ephemeral storage key ARN (optional)", "f-storageKey", f.storageKey ?? "", "clusterConfiguration.managedStorageConfiguration")}
          ${field("ECS Exec session key ARN (optional)", "f-execKey", f.execKey ?? "", "clusterConfiguration.executeCommandConfiguration")}</div>
        <div class="row"><label>ECS Exec logging${sel("f-execLogging", ["DEFAULT", "NONE", "OVERRIDE"], f.execLogging || "DEFAULT", "clusterConfiguration.executeCommandConfiguration.logging")}</label>
          ${field("OVERRIDE: log group (optional)", "f-execLogGroup", f.execLogGroup ?? "", "clusterConfiguration.executeCommandConfiguration.logConfiguration")}
          ${field("OVERRIDE: S3 bucket (optional)", "f-execBucket", f.execBucket ?? "", "clusterConfiguration.executeCommandConfiguration.logConfiguration.s3BucketName")}</div>
      </fieldset>
      <fieldset><legend>Images and instances</legend>
        <div class="row">${field("ECR pull through cache prefix of the images (optional)", "f-pullThroughPrefix", f.pullThroughPrefix ?? "", "pullThroughCacheRules")}
          <label class="check"><input type="checkbox" id="f-noAwslogsOverride" ${f.noAwslogsOverride ? "checked" : ""} data-path="agentConfig">EC2 agent with ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false</label></div>
      </fieldset>
      <fieldset><legend>Service</legend>
        <div class="row">${field("Load balancer target group ARN (optional)", "f-targetGroupArn", f.targetGroupArn, "service.loadBalancers[0].targetGroupArn")}
          <label class="check"><input type="checkbox" id="f-exec" ${f.exec ? "checked" : ""} data-path="service">ECS Exec</label>
          <label class="check"><input type="checkbox" id="f-scales" ${f.scales ? "checked" : ""} data-path="scalableTarget">Scales with Application Auto Scaling</label>
          <label class="check"><input type="checkbox" id="f-express" ${f.express ? "checked" : ""} data-path="expressGatewayService">Express Mode service (ECS creates its load balancer)</label>
          <label class="check"><input type="checkbox" id="f-guardDuty" ${f.guardDuty ? "checked" : ""} data-path="guardDutyRuntimeMonitoring">GuardDuty Runtime Monitoring (Fargate agent)</label></div>
        <div class="row">${field("Service Connect TLS: private CA ARN (optional)", "f-tlsCa", f.tlsCa ?? "", "service.serviceConnectConfiguration.services[0].tls.issuerCertificateAuthority")}
          ${field("TLS key ARN (optional)", "f-tlsKey", f.tlsKey ?? "", "service.serviceConnectConfiguration.services[0].tls.kmsKey")}</div>
        <div class="row">${field("VPC Lattice target group ARN (optional)", "f-latticeTargetGroup", f.latticeTargetGroup ?? "", "service.vpcLatticeConfigurations[0].targetGroupArn")}</div>
        <div class="row">${field("Blue/green: alternate target group ARN (optional)", "f-bgAlternate", f.bgAlternate ?? "", "service.loadBalancers[0].advancedConfiguration.alternateTargetGroupArn")}
          ${field("Production listener rule ARN (optional)", "f-bgRule", f.bgRule ?? "", "service.loadBalancers[0].advancedConfiguration.productionListenerRule")}</div>
        <div class="row">${field("Blue/green lifecycle hook: Lambda function ARN (optional)", "f-bgHook", f.bgHook ?? "", "service.deploymentConfiguration.lifecycleHooks[0].hookTargetArn")}
          ${field("CodeDeploy instead: production listener ARN (optional)", "f-cdListener", f.cdListener ?? "", "codeDeploy.loadBalancerInfo.targetGroupPairInfoList[0].prodTrafficRoute.listenerArns[0]")}</div>
      </fieldset>
      <fieldset><legend>Also started by</legend>
        <div class="row">${field("EventBridge rule name or ARN (optional)", "f-ebRule", f.ebRule ?? "", launcherPath(f, "ebRule"))}
          ${field("EventBridge Scheduler schedule group (optional)", "f-scheduleGroup", f.scheduleGroup ?? "", launcherPath(f, "scheduleGroup"))}</div>
        <div class="row">${field("Step Functions state machine name or ARN (optional)", "f-stateMachine", f.stateMachine ?? "", launcherPath(f, "stateMachine"))}
          <label class="check"><input type="checkbox" id="f-sfnSync" ${f.sfnSync ? "checked" : ""}>waits for the task (.sync)</label></div>
        <div class="row"><label class="check"><input type="checkbox" id="f-launchExec" ${f.launchExec ? "checked" : ""} data-path="launchers">the launchers above start it with ECS Exec on</label>
          <label class="check"><input type="checkbox" id="f-launchTags" ${f.launchTags ? "checked" : ""} data-path="launchers">they tag the tasks they start</label></div>
      </fieldset>
      ${this.appHtml(f, "a")}
    </form>`;
  }

  /** "What the application calls": access intents (kinds, resources and levels from the core's
   *  schema) and raw statements, for the form (`a`, its own state) and for a pasted document
   *  (`p`, `state.app`, added to what the document says). */
  appHtml(app, id) {
    const sel = (sid, list, v, path) => `<select id="${sid}" data-path="${path}">${list.map((x) => `<option ${x === v ? "selected" : ""}>${x}</option>`).join("")}</select>`;
    const field = (label, fid, v, path) => `<label>${label}<input id="${fid}" value="${esc(v)}" data-path="${path}"></label>`;
    const rows = app.access.map((a, i) => {
      const shape = this.model.access[a.kind];
      return `<div class="row">
        <label>Service${sel(`${id}-${i}-kind`, Object.keys(this.model.access), a.kind, `app.access[${i}]`)}</label>
        ${field(shape.resource, `${id}-${i}-resource`, a.resource, `app.access[${i}].${a.kind}.${shape.resource}`)}
        ${shape.prefix ? field("Prefix", `${id}-${i}-prefix`, a.prefix, `app.access[${i}].${a.kind}.prefix`) : ""}
        ${shape.levels.length ? `<label>Access${sel(`${id}-${i}-access`, shape.levels, a.access, `app.access[${i}]`)}</label>` : ""}
        <button data-remove-access="${id}:${i}" aria-label="Remove access ${i + 1}">✕</button></div>`;
    }).join("");
    return `<fieldset class="app"><legend>What the application calls (task role)</legend>${rows}<button id="${id}-add-access">Add access</button>
      <div class="row"><label>Other IAM statements, as a JSON array (checked as you type)<textarea id="${id}-statements" rows="3" data-path="app.statements" placeholder='[{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:…:table/orders"}]'>${esc(app.statements ?? "")}</textarea></label></div>
      <div class="error" id="${id}-statements-error"></div></fieldset>`;
  }

  /** The state behind an access panel: the form's (`a`) or the pasted document's (`p`). */
  panelState(id) {
    return id === "a" ? this.state.form : this.state.app;
  }

  /** Says beside a statements box whether its text is JSON yet. */
  checkStatements(app, id) {
    const box = this.shadowRoot.getElementById(`${id}-statements-error`);
    const { error } = statementsOf(app.statements);
    if (box) box.textContent = error ? `Not JSON yet: ${error}` : "";
  }

  onFormInput(e) {
    const id = e.target.id;
    if (!id) return;
    const f = this.state.form;
    const value = e.target.type === "checkbox" ? e.target.checked : e.target.value;
    let m;
    if ((m = id.match(/^([ap])-(?:(\d+)-(\w+)|statements)$/))) {
      // An access panel: the form's own (a) or the one beside a pasted document (p).
      const app = this.panelState(m[1]);
      if (m[2] === undefined) {
        app.statements = value;
        this.checkStatements(app, m[1]);
      } else {
        const a = app.access[+m[2]];
        a[m[3]] = value;
        if (m[3] === "kind") {
          a.access = this.model.access[value].levels[0];
          this.renderInput();
        }
      }
    } else if ((m = id.match(/^c-(\d+)-(\w+)$/))) f.containers[+m[1]][m[2]] = value;
    else if ((m = id.match(/^f-efs-(\w+)$/))) f.efs[m[1]] = value;
    else if ((m = id.match(/^f-(\w+)$/))) f[m[1]] = value;
    // A launcher filled or cleared moves the others in launchers[]: their findings follow.
    for (const [field] of LAUNCHER_FIELDS) this.shadowRoot.getElementById(`f-${field}`)?.setAttribute("data-path", launcherPath(f, field));
    // The FSx volume follows the EFS one when both are set: its findings follow it.
    this.shadowRoot.getElementById("f-fsxCredentials")?.setAttribute("data-path", fsxCredentialsPath(f));
    this.update();
  }

  onFormClick(e) {
    const t = e.target;
    const f = this.state.form;
    if (t.id === "add-container") f.containers.push(newContainer(`sidecar${f.containers.length}`, "public.ecr.aws/docker/library/busybox:latest"));
    else if (/^[ap]-add-access$/.test(t.id)) this.panelState(t.id[0]).access.push({ kind: "sqs", resource: "", prefix: "", access: "consume" });
    else if (t.dataset.removeContainer) f.containers.splice(+t.dataset.removeContainer, 1);
    else if (t.dataset.removeAccess) {
      const [panel, i] = t.dataset.removeAccess.split(":");
      this.panelState(panel).access.splice(+i, 1);
    } else return;
    e.preventDefault();
    this.renderInput();
    this.update();
  }

  /** Plans the current input and renders the results, then the audit and the explanation
   *  (both judge against this plan). Called on every keystroke. */
  update() {
    this.updatePlan();
    this.updatePanels();
  }

  /** The audit and explain panels, for the current input: computed afresh (never an earlier
   *  workload's answer), only when their boxes hold text, by the full module (fetched once). */
  updatePanels() {
    const root = this.shadowRoot;
    const auditOut = root.getElementById("audit-out");
    const explainOut = root.getElementById("explain-out");
    if (!auditOut || !explainOut) return;
    const wants = this.state.roles.trim() || this.state.error.trim();
    // Both boxes empty and already cleared: a keystroke in the workload touches nothing here.
    if (!wants && !auditOut.firstChild && !explainOut.firstChild && !root.getElementById("roles-error").firstChild) return;
    if (wants && !this.wasm.auditRoles) {
      const loading = `<p class="hint">Loading the module that audits and explains (ecsroles_wasm_full)…</p>`;
      if (this.state.roles.trim()) auditOut.innerHTML = loading;
      if (this.state.error.trim()) explainOut.innerHTML = loading;
      this.loadFull("audits and explains"); // plans again, then comes back here
      return;
    }
    this.renderAudit(auditOut);
    this.renderExplanation(explainOut);
  }

  /** The roles pasted in the audit box against this workload's plan. */
  renderAudit(out) {
    const root = this.shadowRoot;
    const errorBox = root.getElementById("roles-error");
    const select = root.getElementById("audit-role");
    const roles = this.state.roles;
    errorBox.textContent = "";
    if (!roles.trim()) {
      out.innerHTML = "";
      root.getElementById("audit-role-label").hidden = true;
      return;
    }
    let a;
    try {
      a = JSON.parse(this.wasm.auditRoles(this.documentText, this.overridesNow(), roles, this.state.auditRole || undefined, ...this.platformArgs()));
    } catch (err) {
      const e = typeof err === "object" && err ? err : { message: String(err) };
      if (e.path === "roles") errorBox.textContent = e.message;
      // The workload's error is under its box: no audit of another workload meanwhile.
      const waits = ["guardrails", "tenant", "namespace"].includes(e.path)
        ? "The audit uses the platform's plan: it resumes once the page's platform settings can be read (see the verdict above)."
        : "The audit compares your roles with this workload's plan: it resumes once the workload above can be read.";
      out.innerHTML = e.path === "roles" ? "" : `<p class="hint" id="audit-waits">${waits}</p>`;
      return;
    }
    root.getElementById("audit-role-label").hidden = !a.policyOf;
    const options = a.roles.map((n) => `<option ${n === a.policyOf ? "selected" : ""}>${esc(n)}</option>`).join("");
    if (select.innerHTML !== options) select.innerHTML = options;
    const planned = this.last?.plan?.roles ?? [];
    const item = (cls, what, text) => `<li class="finding ${cls}" data-finding="${what}">${text}</li>`;
    // One pasted policy is one of the role's: what it lacks may come from another of them.
    const missingLabel = a.policyOf ? "not in this policy" : "missing";
    // The core's fix beyond the documents, per role name: on the first card of that name (a
    // role serving two kinds has two cards).
    const said = new Set();
    const cards = a.report.roles.map((r) => {
      const first = !said.has(r.name);
      said.add(r.name);
      const mine = (list) => (first ? (list ?? []).filter((x) => x.role === r.name) : []);
      const blocked = [...mine(a.blocked).map((b) => item("error", "blocked", esc(b.text))), ...mine(a.notes).map((b) => item("info", "left", esc(b.text)))].join("");
      if (!r.found) {
        const why = a.policyOf ? "Not pasted." : planned.find((p) => p.kind === r.kind)?.provisioning === "existing" ? "Not in what you pasted (the workload names this role: paste it too)." : "Not in what you pasted: the plan creates it.";
        return `<div class="card audit-role" data-role="${esc(r.name)}" data-state="notFound"><h3><code>${esc(r.name)}</code> (${esc(r.title)})</h3><p class="hint">${why}</p>${blocked ? `<ul>${blocked}</ul>` : ""}</div>`;
      }
      const items = [
        ...r.missing.map((m) => item("error", "missing", `${missingLabel} <code>${breakable(m.action)}</code> on <code>${breakable(m.resource)}</code> [${esc(m.sid)}]${m.breaks ? ` — fails as: ${esc(m.breaks)}` : ""}<br><small>${esc(m.why)}</small>`)),
        ...(r.assumable ? [] : [item("error", "unassumable", "The service that uses this role cannot assume it as it is: the workload fails (see its trust below)")]),
        ...r.trust.map((t) => item("warning", "trust", `trust: ${esc(t)}`)),
        ...r.overGrants.map((o) => item("warning", "broader", `broader <code>${breakable(o.action)}</code> on <code>${breakable(o.resource)}</code> (${esc(o.policy)}): ${esc(o.why)}`)),
        ...r.conditional.map((m) => item("info", "conditional", `only if a condition holds, or by a policy not pasted: <code>${breakable(m.action)}</code> on <code>${breakable(m.resource)}</code>`)),
        ...r.unresolved.map((u) => item("info", "unread", `<code>${esc(u)}</code>: its document is not in what you pasted (add --filter AWSManagedPolicy LocalManagedPolicy)`)),
        ...r.detached.map((d) => item("info", "detached", `<code>${esc(d)}</code>: the plan attaches this AWS managed policy and the role does not have it`)),
        ...r.fromSnapshot.map((p) => item("info", "snapshot", `${esc(p)}: judged from ecsroles' snapshot of this AWS managed policy (its document is not in what you pasted)`)),
      ];
      // The core's verdict; only its words are chosen here.
      const state = r.verdict;
      const summary = {
        fine: "fine: allows what the workload needs, and no more",
        unproven: `nothing proven missing; ${r.conditional.length} grant(s) hold only under a condition or through a policy not pasted`,
      }[state] ?? `${r.missing.length} ${missingLabel}, ${r.overGrants.length} broader than needed, ${r.trust.length} trust`;
      const fix = state === "fine" ? "" : this.copyButtons(planned.find((p) => p.kind === r.kind) ?? {});
      // The rest of the core's fix for this role: what then only over-grants, the trust to put
      // in place, what no grant overcomes.
      const commands = [...mine(a.remove), ...mine(a.trust)].map((x) => x.command).join("\n");
      const then = commands ? `<p class="hint">Then remove what only over-grants and put the trust in place (AWS CLI):</p><pre data-fix="commands">${esc(commands)}</pre>` : "";
      return `<div class="card audit-role" data-role="${esc(r.name)}" data-state="${state}"><h3><code>${esc(r.name)}</code> (${esc(r.title)}): ${esc(summary)}</h3>
        ${items.length ? `<ul>${items.join("")}</ul>` : ""}${fix ? `<p class="hint">The least-privilege replacement (this plan's documents):</p>${fix}` : ""}${then}${blocked ? `<ul>${blocked}</ul>` : ""}</div>`;
    }).join("");
    out.innerHTML = `${cards}${a.policyOf ? `<p class="hint">One policy pasted: its trust policy is not judged (paste the account's details for that).</p>` : ""}<p class="hint">${esc(a.report.notSeen)}</p>`;
  }

  /** The pasted error message, explained (with this workload's plan when it can be read). */
  renderExplanation(out) {
    const message = this.state.error;
    this.explained = null;
    if (!message.trim()) {
      out.innerHTML = "";
      return;
    }
    let platform;
    try {
      platform = this.platformArgs();
    } catch {
      platform = []; // an unreadable platform attribute is said in the verdict: explain without it
    }
    const x = JSON.parse(this.wasm.explainMessage(message, this.documentText, this.overridesNow(), ...platform));
    const e = x.explanation;
    if (!e) {
      out.innerHTML = `<div class="card" id="explanation" data-shape=""><h3>Not an error ecsroles recognises</h3><p class="hint">It knows ${x.known} kinds of ECS and IAM error messages; paste the whole message (a stopped reason, a service event, an AccessDenied text).</p></div>`;
      return;
    }
    this.explained = e;
    const facts = [
      ["Role", e.caller ? "whoever calls ECS (a user, a pipeline, a launcher)" : e.roleTitle],
      ["Denied", e.principal], ["Action", e.action], ["Resource", e.resource],
    ].filter(([, v]) => v).map(([k, v]) => `<li>${k}: <code>${breakable(v)}</code></li>`).join("");
    const plan = e.plan ? `<p data-plan-verdict><strong>This workload's plan${e.plan.role ? ` (<code>${esc(e.plan.role)}</code>)` : ""}:</strong> ${esc(e.plan.verdict)}</p>
      ${e.plan.document ? `<pre>${esc(JSON.stringify(e.plan.document, null, 2))}</pre><div class="role-actions"><button data-copy-text="">Copy the statement</button></div>` : ""}` : x.planned ? "" : `<p class="hint">With a readable workload above, this also says whether its plan grants the call.</p>`;
    out.innerHTML = `<div class="card" id="explanation" data-shape="${esc(e.shape)}"><h3>${esc(e.title)}</h3>
      ${e.iam ? "" : `<p><strong>Not an IAM problem.</strong></p>`}${facts ? `<ul>${facts}</ul>` : ""}
      <p>What happened: ${esc(e.cause)}</p><p>Fix: ${esc(e.fix)}</p>${plan}
      <small><a href="${esc(e.doc)}" target="_blank" rel="noopener">AWS documentation</a> · <a href="${esc(e.seen)}" target="_blank" rel="noopener">where this message was seen</a></small></div>`;
  }

  /** Plans the current input and renders the results. */
  updatePlan() {
    this.needsFull();
    if (this.state.mode === "paste" && !this.state.text.trim()) return this.welcome();
    const overrides = this.overridesNow();
    let out;
    let raw;
    const errorBox = this.shadowRoot.getElementById("doc-error");
    const policy = this.getAttribute("guardrails");
    try {
      raw = policy !== null && this.wasm.planGuarded
        ? this.wasm.planGuarded(this.documentText, overrides, [this.state.tab], ...this.platformArgs())
        : this.wasm.planDocument(this.documentText, overrides, [this.state.tab]);
      out = JSON.parse(raw);
    } catch (err) {
      const e = typeof err === "object" && err ? err : { message: String(err) };
      if (e.path === "guardrails" || e.path === "tenant") return this.policyError(e);
      // A template: the plain module leaves reading templates to the full one.
      if (e.path === this.form.templatePath && !this.full) {
        if (errorBox) errorBox.textContent = "Reading the template…";
        this.markStale(); // the earlier workload's results are not this one's
        this.loadFull("reads templates");
        return;
      }
      // Errors the core names by field only are found in the text here, so every error points.
      const at = e.line ? { line: e.line, column: e.column } : (this.state.mode === "paste" && e.path && locate(this.documentText, e.path));
      const where = [at && `line ${at.line}, column ${at.column}`, e.path].filter(Boolean).join(" · ");
      if (errorBox) {
        errorBox.textContent = `${where ? where + ": " : ""}${e.message}`;
        if (at && this.state.mode === "paste") {
          errorBox.insertAdjacentHTML("beforeend", ` <button id="doc-error-show">Show in the text</button>`);
          errorBox.querySelector("#doc-error-show").addEventListener("click", () => this.showInText(at));
        }
      }
      this.markStale();
      this.placeFindings([]); // the findings placed beside the fields were the earlier input's
      this.dispatchEvent(new CustomEvent("plan-error", { detail: e, bubbles: true, composed: true }));
      return;
    }
    if (errorBox) errorBox.textContent = "";
    this.last = out;
    // Same answer as last time (e.g. a keystroke in a comment-like field): keep the DOM.
    if (raw !== this.lastRaw || !this.shadowRoot.getElementById("plan-summary")) {
      this.lastRaw = raw;
      this.renderResults(out);
    }
    this.placeFindings(out.plan.findings);
    this.dispatchEvent(new CustomEvent("plan", { detail: out.plan, bubbles: true, composed: true }));
    if (out.violations) this.dispatchEvent(new CustomEvent("verdict", { detail: out.violations, bubbles: true, composed: true }));
  }

  /** The page's settings for the core: the bar's overrides, and in paste mode what the access
   *  panel adds to the document's `app`. */
  overridesNow() {
    const o = Object.fromEntries(Object.entries(this.state.overrides).filter(([, v]) => v));
    const app = this.state.mode === "paste" ? appSpec(this.state.app, this.model) : undefined;
    if (app) o.app = JSON.stringify(app);
    return o;
  }

  /** Selects the rest of the line at `at` ({line, column}) in the text box, scrolled into view. */
  showInText(at) {
    const doc = this.shadowRoot.getElementById("doc");
    if (!doc) return;
    const lines = doc.value.split("\n");
    const start = lines.slice(0, at.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (at.column ?? 1) - 1);
    const end = start + Math.max(1, (lines[at.line - 1] ?? "").length - ((at.column ?? 1) - 1));
    doc.focus();
    doc.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(doc).lineHeight) || 16;
    doc.scrollTop = Math.max(0, (at.line - 3) * lineHeight);
  }

  /** Nothing pasted yet (or cleared): what to do first, instead of an error. */
  welcome() {
    this.lastRaw = null;
    const errorBox = this.shadowRoot.getElementById("doc-error");
    if (errorBox) errorBox.textContent = "";
    this.placeFindings([]);
    this.shadowRoot.getElementById("results").innerHTML = `<div class="card" id="welcome"><h2>Paste or drop your task definition</h2>
      <p class="hint">Every IAM role it needs appears here as you type: who assumes it, what it must allow and why, with the policies to copy.
      No task definition at hand? Pick an example above, or describe the workload in the guided form.
      <a href="${esc(this.specUrl)}" target="_blank" rel="noopener">What a document may say</a>.</p></div>`;
  }

  /** The page's guardrails (or platform) attribute is not valid: say so where the verdict goes. */
  policyError(e) {
    this.lastRaw = null;
    const [title, hint] = e.path === "tenant"
      ? ["The platform attribute is not valid", `It takes the controller's settings as JSON: <code>{"accountId": "…", "namePrefix": "…", "rolePath": "/ecsroles/"}</code>, with <code>resource-name</code> and <code>namespace</code>.`]
      : ["The guardrails attribute is not a valid policy", "It takes the JSON form of the Helm value <code>guardrails</code>."];
    this.shadowRoot.getElementById("results").innerHTML = `<div class="card verdict invalid" id="verdict" data-verdict="invalid" role="alert">
      <h2>${title}</h2><p><code>${esc(e.message)}</code></p>
      <p class="hint">${hint}</p></div>`;
    this.dispatchEvent(new CustomEvent("plan-error", { detail: e, bubbles: true, composed: true }));
  }

  /** The page's guardrails, namespace and tenant, as the core's planGuarded takes them: the audit
   *  and the explanation use the same plan (the roles the controller would name). */
  platformArgs() {
    const policy = this.getAttribute("guardrails");
    return policy === null ? [] : [policy, this.getAttribute("namespace") ?? undefined, this.tenantSettings()];
  }

  /** With `resource-name` and `platform` (the controller's settings as JSON: accountId,
   *  namePrefix, rolePath) beside `guardrails` and `namespace`: the core's whole admission,
   *  as the controller runs it for that EcsRoleSet — its names, path and account included. */
  tenantSettings() {
    const name = this.getAttribute("resource-name");
    const platform = this.getAttribute("platform");
    if (!name || platform === null) return undefined;
    let settings;
    try {
      settings = JSON.parse(platform);
    } catch (err) {
      throw { path: "tenant", message: `the platform attribute is not JSON: ${err.message}` };
    }
    return JSON.stringify({ ...settings, name });
  }

  /** The platform's verdict on this document (only with a guardrails attribute). */
  verdictCard(violations) {
    if (!violations) return "";
    const ns = this.getAttribute("namespace");
    const where = ns ? ` in namespace <code>${esc(ns)}</code>` : "";
    if (!violations.length) {
      return `<div class="card verdict allowed" id="verdict" data-verdict="allowed"><h2>Allowed by the platform guardrails</h2>
        <p class="hint">The controller would accept this document${where}; the roles below include what the guardrails inject.</p></div>`;
    }
    const items = violations.map((v) => `<li data-rule="${esc(v.rule)}"><code>${esc(v.rule)}</code>${v.path ? ` · <code>${esc(v.path)}</code>` : ""}: ${esc(v.message)}</li>`).join("");
    return `<div class="card verdict refused" id="verdict" data-verdict="refused" role="alert"><h2>Refused by the platform guardrails</h2>
      <p class="hint">The controller would refuse this document${where} and change nothing in IAM:</p><ul>${items}</ul></div>`;
  }

  /** What the core read from the file rather than being told (launch type, region, account,
   *  the roles the task definition names), first thing, with a control to change the launch type. */
  inferredCard(plan) {
    const read = (plan.inferred ?? []).filter((i) => !i.from.startsWith("given"));
    const words = (k) => k.replace(/([A-Z])/g, " $1").toLowerCase();
    const items = read.map((i) => `<li data-fact="${esc(i.fact)}"><strong>${esc(words(i.fact))}</strong> <code>${esc(i.value)}</code> — from ${esc(i.from)}${i.path ? ` <small>(<code>${esc(i.path)}</code>)</small>` : ""}</li>`).join("");
    const lt = this.state.overrides.launchType;
    const options = this.model.launchTypes.map((v) => `<option ${v === lt ? "selected" : ""}>${esc(v)}</option>`).join("");
    // The roles the file names are planned as existing; the user may want new ones instead.
    const named = read.some((i) => i.fact === "taskRole" || i.fact === "taskExecutionRole") || this.state.overrides.newRoles;
    const newRoles = named ? `<label class="check"><input type="checkbox" id="inferred-newRoles" ${this.state.overrides.newRoles ? "checked" : ""}> Plan new roles instead of the ones the file names</label>` : "";
    return `<div class="card inferred" id="inferred"><h2>Read from your file</h2>
      ${items ? `<ul>${items}</ul>` : `<p class="hint">Everything the plan uses was given explicitly.</p>`}
      <label>Runs on <select id="inferred-launchType" aria-label="Change the launch type"><option value="">${esc(plan.launchType)} (as read)</option>${options}</select></label>
      ${newRoles}</div>`;
  }

  /** The results as keyed sections, each one root element: verdict, what was read, summary,
   *  lifecycle, one card per role, what is not needed, outputs. */
  resultSections({ plan, renders, violations }) {
    const absent = plan.absent.map((a) => `<li><strong>${esc(a.title)}</strong> — ${esc(a.why)} <a href="${esc(a.doc)}" target="_blank" rel="noopener" aria-label="doc: AWS documentation on ${esc(a.title)}">doc</a></li>`).join("");
    const errors = plan.findings.filter((f) => f.severity === "error").length;
    const tabs = this.formatList.map((f) => `<button role="tab" data-format="${f.name}" aria-selected="${f.name === this.state.tab}" tabindex="${f.name === this.state.tab ? 0 : -1}">${esc(f.title)}</button>`).join("");
    const rendered = renders.find((r) => r.format === this.state.tab)?.text;
    return [
      ["verdict", this.verdictCard(violations)],
      ["inferred", this.inferredCard(plan)],
      ["summary", `<p class="summary" id="plan-summary" data-stale="false">${esc(plan.workload)} · ${esc(plan.launchType)} · ${esc(plan.networkMode)} — ${plan.roles.length} roles involved, ${plan.absent.length} not needed${errors ? `, <span class="finding error">${errors} error${errors > 1 ? "s" : ""}</span>` : ""} · <a href="#" id="to-outputs">Outputs ↓</a></p>`],
      ["diagram", `<section class="diagram" aria-label="Task lifecycle: who assumes which role when">${lifecycleHtml(plan, this.lifecycle)}</section>`],
      ...plan.roles.map((r) => [`role:${r.kind}`, this.roleCard(r)]),
      ["absent", `<div class="card"><h2>Not needed</h2><ul class="absent">${absent}</ul></div>`],
      ["outputs", `<div class="outputs card"><h2>Outputs</h2><div role="tablist" aria-label="Output format">${tabs}</div>
        <div class="actions"><button id="copy">Copy</button><button id="download">Download ${esc(this.formatList.find((f) => f.name === this.state.tab)?.ext ?? "")}</button></div>
        <pre id="output" tabindex="0" aria-label="${esc(this.state.tab)} output" aria-busy="${rendered === undefined}"></pre></div>`],
    ].filter(([, html]) => html);
  }

  /** Shows a plan. A keystroke usually changes one card (an image tag appears in the execution
   *  role's reasons): only the sections whose HTML changed are replaced, so typing stays within
   *  the keystroke budget and the rest of the page (open details, scroll, focus) is left alone.
   *  Listeners are delegated from #results (see `listenToResults`), so nothing is re-attached. */
  renderResults(out) {
    const { plan, renders } = out;
    this.shownPlan = plan;
    const rendered = renders.find((r) => r.format === this.state.tab)?.text;
    this.shownText = rendered ?? "";
    const sections = this.resultSections(out);
    const results = this.shadowRoot.getElementById("results");
    // Re-rendering replaces the element that had focus: keep it on the same tab.
    const focusedTab = this.shadowRoot.activeElement?.dataset?.format;
    const shown = this.shown;
    const sameShape = shown && results.dataset.stale !== "true" && shown.length === sections.length
      && sections.every(([key], i) => shown[i].key === key && shown[i].node.parentNode === results);
    if (!sameShape) {
      results.dataset.stale = "false";
      results.innerHTML = sections.map(([, html]) => html).join("");
      this.shown = sections.map(([key, html], i) => ({ key, html, node: results.children[i] }));
    } else {
      const tpl = document.createElement("template");
      sections.forEach(([key, html], i) => {
        if (shown[i].html === html) return;
        tpl.innerHTML = html;
        const node = tpl.content.firstElementChild;
        shown[i].node.replaceWith(node);
        shown[i] = { key, html, node };
      });
    }
    const root = this.shadowRoot;
    // The rendered output is set as text, not parsed as HTML with the rest of its section: it
    // is most of a keystroke's page (a 10-container role's JSON), and the browser's HTML
    // parser spent longer on it, escaped, than the core on planning it.
    const pre = root.getElementById("output");
    const text = rendered ?? "Loading the module that renders this format…";
    if (pre && pre.shownText !== text) {
      pre.textContent = text;
      pre.shownText = text;
    }
    if (focusedTab && root.activeElement?.dataset?.format !== focusedTab) root.querySelector(`[data-format="${focusedTab}"]`)?.focus();
    const errors = plan.findings.filter((f) => f.severity === "error").length;
    const said = `${plan.roles.length} roles involved, ${plan.absent.length} not needed${errors ? `, ${errors} errors` : ""}`;
    const announce = root.getElementById("announce");
    if (announce && announce.textContent !== said) announce.textContent = said;
  }

  /** The results' controls, delegated once per shell: sections come and go without re-wiring. */
  listenToResults(results) {
    const root = this.shadowRoot;
    const rerender = () => {
      this.lastRaw = null;
      this.update();
    };
    arrowKeys(results);
    results.addEventListener("click", (e) => {
      const t = e.target.closest("button, a");
      if (!t || t.disabled) return;
      if (t.id === "to-outputs") {
        // The outputs sit below every role card: one step from the top, focus on their tabs.
        e.preventDefault();
        const tab = root.querySelector('.outputs [aria-selected="true"]');
        tab?.scrollIntoView({ block: "start" });
        tab?.focus();
      } else if (t.dataset.format) {
        this.state.tab = t.dataset.format;
        rerender();
      } else if (t.id === "copy") {
        this.copy(this.shownText, t);
      } else if (t.dataset.copy) {
        this.copy(this.roleDocument(t.dataset.kind, t.dataset.copy), t);
      } else if (t.id === "download") {
        const ext = this.formatList.find((f) => f.name === this.state.tab)?.ext ?? "txt";
        const a = document.createElement("a");
        a.href = URL.createObjectURL(new Blob([this.shownText], { type: "text/plain" }));
        a.download = `${this.shownPlan?.workload ?? "ecsroles"}.${ext}`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      }
    });
    results.addEventListener("change", (e) => {
      if (e.target.id === "inferred-newRoles") {
        this.state.overrides.newRoles = e.target.checked || undefined;
        rerender();
        root.getElementById("inferred-newRoles")?.focus();
      } else if (e.target.id === "inferred-launchType") {
        this.state.overrides.launchType = e.target.value || undefined;
        const bar = root.getElementById("ov-launchType");
        if (bar) bar.value = e.target.value;
        rerender();
      }
    });
  }

  roleCard(r) {
    const stmts = (r.inlinePolicies ?? []).flatMap((p) => p.document.statements).map((s) => `
      <div class="stmt"><span class="sid">${esc(s.sid)}</span> ${s.effect === "Deny" ? "<strong>DENY</strong> " : ""}<code>${breakable((s.actions ?? s.notActions ?? []).join(", "))}</code>
        on <code>${breakable((s.resources?.length ? s.resources : s.notResources?.map((x) => "all but " + x) ?? []).join(", "))}</code>
        ${s.conditions && Object.keys(s.conditions).length ? `<br><small>when <code>${esc(JSON.stringify(s.conditions))}</code></small>` : ""}
        <br><small>${esc(s.why)} <a href="${esc(s.doc)}" target="_blank" rel="noopener" aria-label="doc: AWS documentation on ${esc(r.title)}, ${esc(s.sid)}">doc</a></small></div>`).join("");
    const trust = r.trustPolicy?.statements?.[0];
    const managed = (r.managedPolicies ?? []).map((m) => `<li><code>${esc(m.arn)}</code> — ${esc(m.why)}</li>`).join("");
    return `<article class="card" data-kind="${esc(r.kind)}">
      <h2>${esc(r.title)} — <code>${esc(r.name ?? (r.namePrefix ?? "") + "…")}</code> <small>(${esc(r.provisioning)})</small></h2>
      <p class="who">Assumed by <strong>${esc(r.assumedBy.join(", "))}</strong>: ${esc(r.when)}</p>
      <ul>${r.why.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>
      ${trust ? `<details><summary>Trust policy</summary><pre>${esc(JSON.stringify({ Principal: trust.principal, Condition: trust.conditions }, null, 2))}</pre><small>${esc(trust.why)}</small></details>` : ""}
      ${this.copyButtons(r)}
      ${stmts}
      ${managed ? `<ul>${managed}</ul>` : ""}
      ${r.instanceProfile ? `<p>Instance profile <code>${esc(r.instanceProfile.path + r.instanceProfile.name)}</code></p>` : ""}
      <small><a href="${esc(r.doc)}" target="_blank" rel="noopener" aria-label="AWS documentation: ${esc(r.title)}">AWS documentation</a></small></article>`;
  }

  /** "Copy policy" / "Copy trust policy" for one role: each the document as IAM's console
   *  takes it, from the core's IAM documents (not rebuilt here). */
  copyButtons(r) {
    if (r.provisioning === "serviceLinked") return ""; // AWS writes its documents
    const b = (what, label) => `<button data-copy="${esc(what)}" data-kind="${esc(r.kind)}" aria-label="${esc(label)}: ${esc(r.title)}">${esc(label)}</button>`;
    const policies = (r.inlinePolicies ?? []).map((p, i, all) => b(`policy:${p.name}`, all.length > 1 ? `Copy policy ${p.name}` : "Copy policy"));
    const all = [...policies, ...(r.trustPolicy ? [b("trust", "Copy trust policy")] : [])];
    return all.length ? `<div class="role-actions">${all.join("")}</div>` : "";
  }

  /** The IAM document a card's copy button names, from the core's `iam` rendering. */
  roleDocument(kind, what) {
    const out = JSON.parse(this.wasm.planDocument(this.documentText, this.overridesNow(), ["iam"]));
    const role = JSON.parse(out.renders.find((r) => r.format === "iam").text).roles.find((x) => x.kind === kind);
    const doc = what === "trust" ? role?.assumeRolePolicyDocument : role?.inlinePolicies?.[what.slice("policy:".length)];
    return JSON.stringify(doc, null, 2);
  }

  /** Shows each finding next to the form field (or under the document) it concerns. */
  placeFindings(findings) {
    const root = this.shadowRoot;
    root.querySelectorAll(".field-finding").forEach((n) => n.remove());
    const listBox = root.getElementById("doc-findings");
    const line = (f) => `<div class="finding ${f.severity} field-finding">${esc(f.severity)}: ${esc(f.message)}${f.fix ? ` — ${esc(f.fix)}` : ""}</div>`;
    const unplaced = [];
    for (const f of findings) {
      const fields = [...root.querySelectorAll("[data-path]")];
      const target = fields.filter((el) => f.path === el.dataset.path || f.path.startsWith(el.dataset.path + ".") || f.path.startsWith(el.dataset.path + "["))
        .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
      if (target) target.closest("label, .row")?.insertAdjacentHTML("beforeend", line(f));
      else unplaced.push(f);
    }
    const html = unplaced.map((f) => `<div class="finding ${f.severity} field-finding">${esc(f.severity)} · <code>${esc(f.path)}</code>: ${esc(f.message)}${f.fix ? ` — ${esc(f.fix)}` : ""}</div>`).join("");
    if (listBox) listBox.innerHTML = html;
    else root.getElementById("input-body")?.insertAdjacentHTML("beforeend", html);
  }

  /** Copies `text`; says so on `button` (where the user clicked) and to screen readers. */
  async copy(text, button) {
    const status = this.shadowRoot.getElementById("status");
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = document.createElement("textarea");
      ta.value = text;
      this.shadowRoot.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    if (status) status.textContent = "Copied";
    if (button) {
      const label = button.textContent;
      button.textContent = "Copied ✓";
      setTimeout(() => { button.textContent = label; }, 1500);
    }
    this.dispatchEvent(new CustomEvent("copied", { detail: text, bubbles: true, composed: true }));
  }

  /** The state in a link: opening it restores input, overrides and tab. The document goes
   *  through the core's `shareable` (environment values, commands… left out: they change no
   *  role and often hold secrets); an unchanged example goes as its id. Returns the URL and
   *  what it holds, in words. */
  async shareUrl() {
    const { mode, text, form, tab, overrides, example } = this.state;
    let state, holds;
    const ex = this.exampleList.find((e) => e.id === example);
    if (mode === "form" && !form.containers.some((c) => c.env || c.firelens)) {
      [state, holds] = [{ mode, form, tab, overrides }, "the guided form's values"];
    } else if (mode === "form") {
      // Environment and FireLens output boxes often hold secrets: the workload goes as the
      // document the form makes, through the core's `shareable` like a pasted one.
      const shared = JSON.parse((await core(true)).shareable(JSON.stringify(specFromForm(form, this.model))));
      state = { mode: "paste", text: shared.text, tab, overrides };
      holds = `the guided form's workload as a document${shared.leftOut.length ? ` without its ${shared.leftOut.join(", ")} (they change no role)` : ""}`;
    } else if (ex && ex.text === text) {
      [state, holds] = [{ mode, example, tab, overrides }, `the example “${ex.title}”`];
    } else {
      const shared = JSON.parse((await core(true)).shareable(text));
      state = { mode, text: shared?.text ?? text, tab, overrides, ...(appSpec(this.state.app, this.model) ? { app: this.state.app } : {}) };
      holds = !shared
        ? "your text as typed (it is not JSON, so nothing could be left out)"
        : shared.leftOut.length
          ? `your document without its ${shared.leftOut.join(", ")} (they change no role)`
          : "your document";
    }
    return { url: `${location.origin}${location.pathname}#z=${await encodeState(state)}`, holds };
  }

  async share() {
    const { url, holds } = await this.shareUrl();
    history.replaceState(null, "", url);
    await this.copy(url, this.shadowRoot.getElementById("share"));
    const status = this.shadowRoot.getElementById("status");
    if (status) status.textContent = `Link copied (${(url.length / 1024).toFixed(1)} KB): it holds ${holds}.`;
  }
}

/** The tab lists in `container` driven by the keyboard as ARIA describes: arrows, Home and
 *  End move to a tab and select it (only the selected tab is in the Tab order). */
function arrowKeys(container) {
  container?.addEventListener("keydown", (e) => {
    const list = e.target.closest?.("[role=tablist]");
    if (!list) return;
    const tabs = [...list.querySelectorAll("[role=tab]")];
    const i = tabs.indexOf(e.target);
    const j = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (i < 0 || j === undefined) return;
    e.preventDefault();
    const next = tabs[(j + tabs.length) % tabs.length];
    next.focus(); // before the click: the re-render keeps focus where it is
    next.click();
  });
}

/** Escaped, with line-break opportunities after an ARN's or action's separators (`:` `/`),
 *  so a long ARN wraps at its parts instead of mid-word or off the card. */
function breakable(text) {
  return esc(text).replace(/([:/])/g, "$1<wbr>");
}

/** JSON indented for the text box; anything else as it is. */
function indented(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

if (!customElements.get("ecs-role-calculator")) customElements.define("ecs-role-calculator", EcsRoleCalculator);
export { EcsRoleCalculator };
