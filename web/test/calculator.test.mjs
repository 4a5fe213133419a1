// The calculator in real headless Chromium (Debian's /usr/bin/chromium via playwright-core),
// served from web/dist on loopback. Screenshots of the main views go to web/test-results/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { serve } from "../scripts/serve.mjs";

const require = createRequire(import.meta.url);
const DIST = new URL("../dist/", import.meta.url).pathname;
const SHOTS = new URL("../test-results/", import.meta.url).pathname;
const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let server, base, browser;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await serve(DIST);
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page on the calculator, with page errors collected (any one fails the test); on the
 *  demo page, `example` is picked from the menu as a user would (null: the empty first view). */
async function open(path = "/index.html", example = "fargate-web-api") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + path);
  await page.locator("ecs-role-calculator .card").first().waitFor();
  if (path === "/index.html" && example) {
    await page.locator("ecs-role-calculator #example").selectOption(example);
    await page.locator("ecs-role-calculator #plan-summary").waitFor();
  }
  return { page, errors, context };
}

const calc = (page) => page.locator("ecs-role-calculator");
const REALWORLD = new URL("../../tests/realworld/", import.meta.url).pathname;
const kinds = async (page) => calc(page).locator("article.card").evaluateAll((els) => els.map((e) => e.dataset.kind));
const roleNames = async (page) => calc(page).locator("article.card > h2 > code").allTextContents();

test("the first view asks for a task definition: empty box, paste-or-drop card, a link to the spec", async () => {
  const { page, errors } = await open("/index.html", null);
  assert.equal(await calc(page).locator("#doc").inputValue(), "");
  await calc(page).locator("#welcome").filter({ hasText: "Paste or drop your task definition" }).waitFor();
  assert.match(await calc(page).locator("#welcome a").getAttribute("href"), /\/docs\/spec\.md$/);
  assert.equal(await calc(page).locator("#doc-error").textContent(), "");
  assert.equal(await calc(page).locator("button.primary").count(), 0, "no primary button competes with pasting");
  await page.screenshot({ path: SHOTS + "first-view-empty.png" });
  assert.deepEqual(errors, []);
});

test("the examples' texts are fetched only when one is opened, not with the module", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(base + "/index.html");
  await page.locator("ecs-role-calculator .card").first().waitFor();
  assert.ok(!requests.some((p) => p.endsWith("/examples.json")), requests.join(", "));
  await page.locator("ecs-role-calculator #example").selectOption("fargate-web-api");
  await page.locator("ecs-role-calculator #plan-summary").waitFor();
  assert.equal(requests.filter((p) => p.endsWith("/examples.json")).length, 1);
  assert.match(await page.locator("ecs-role-calculator #doc").inputValue(), /"web-api"/);
  await context.close();
});

test("pasting a describe-task-definition output shows the roles it needs", async () => {
  const { page, errors } = await open();
  const td = await readFile(EXAMPLES + "describe-task-definition.json", "utf8");
  await calc(page).locator("#doc").fill(td);
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("storefront"));
  // The roles the file names are the roles it uses (existing), the task role included.
  assert.deepEqual(await kinds(page), ["taskExecution", "task", "serviceLinked"]);
  const exec = calc(page).locator('article[data-kind="taskExecution"]');
  assert.match(await exec.textContent(), /ecsTaskExecutionRole/);
  assert.match(await exec.textContent(), /\(existing\)/);
  assert.match(await exec.textContent(), /PrivateRegistryCredentials/);
  // The user's choice: new roles instead of the ones the file names, and back.
  await calc(page).locator("#inferred-newRoles").check();
  await exec.filter({ hasText: "(create)" }).waitFor();
  assert.match(await exec.textContent(), /storefront-execution/);
  await calc(page).locator("#inferred-newRoles").uncheck();
  await exec.filter({ hasText: "(existing)" }).waitFor();
  await page.screenshot({ path: SHOTS + "paste.png", fullPage: true });
  assert.deepEqual(errors, []);
});

test("a console export with nulls and a CloudFormation template plan as pasted, showing what was read first", async () => {
  const { page, errors } = await open();
  const shadow = (fn) => page.waitForFunction(fn);
  // A console export: nulls everywhere, no requiresCompatibilities → EC2, as ECS registers it.
  const exportText = await readFile(REALWORLD + "oss-splunk-otel-ec2/splunk-otel-collector.json", "utf8");
  await calc(page).locator("#doc").fill(exportText);
  await shadow(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelector('#inferred [data-fact="launchType"]'));
  const inferred = calc(page).locator("#inferred");
  assert.match(await inferred.textContent(), /launch type\s+EC2/);
  assert.equal(await calc(page).locator("#doc-error").textContent(), "");
  assert.ok((await kinds(page)).includes("containerInstance"));
  // The control changes the launch type the plan is made for.
  await calc(page).locator("#inferred-launchType").selectOption("EXTERNAL");
  await shadow(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("EXTERNAL"));
  await calc(page).locator("#inferred-launchType").selectOption("");
  // A whole CloudFormation template (JSON): the task definition and its service are found —
  // by the full module, which the element fetches for it (the plain one leaves templates out).
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").full), false);
  const cfn = await readFile(REALWORLD + "aws-cfn-cwagent-daemon/cwagent-ecs-instance-metric-cfn.json", "utf8");
  await calc(page).locator("#doc").fill(cfn);
  await shadow(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("ecs-cwagent-daemon-service"));
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").full), true);
  assert.equal(await calc(page).locator("#doc-error").textContent(), "");
  assert.match(await calc(page).locator("#doc-findings").textContent() + (await calc(page).locator("#results").textContent()), /AWS::ECS::TaskDefinition/);
  await page.screenshot({ path: SHOTS + "realworld-paste.png", fullPage: true });
  // A template: its placeholder is named as an error until a value is given for it.
  const template = { family: "tpl", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", executionRoleArn: "arn:aws:iam::111122223333:role/exec",
    containerDefinitions: [{ name: "app", image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/${REPO}:1" }] };
  await calc(page).locator("#doc").fill(JSON.stringify(template));
  await shadow(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("tpl"));
  assert.match(await calc(page).locator("#doc-findings").textContent(), /unresolved template placeholder \$\{REPO\}/);
  // A pair without "=" is named, not silently skipped.
  await calc(page).locator("#ov-vars").fill("REPO");
  await calc(page).locator("#doc-error").filter({ hasText: '"REPO" is not NAME=VALUE' }).waitFor();
  await calc(page).locator("#ov-vars").fill("REPO=web");
  await shadow(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article[data-kind="taskExecution"]')?.textContent.includes("repository/web"));
  assert.doesNotMatch(await calc(page).locator("#doc-findings").textContent(), /unresolved/);
  assert.deepEqual(errors, []);
});

test("a Fluentd FireLens output (@type) is planned with the plugin's own parameters, by the full module", async () => {
  const { page, errors } = await open();
  // AWS's "FireLens under the hood" sample: kinesis_firehose with delivery_stream_name (Fluent
  // Bit names it delivery_stream). The plain module leaves Fluentd out (size) and hands it over.
  const td = await readFile(REALWORLD + "aws-firelens-fluentd-firehose/task-definition.json", "utf8");
  await calc(page).locator("#doc").fill(td);
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot
    .querySelector('article[data-kind="task"]')?.textContent.includes("deliverystream/demo-stream"));
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").full), true);
  assert.equal(await calc(page).locator("#doc-error").textContent(), "");
  assert.match(await calc(page).locator('article[data-kind="task"]').textContent(), /firehose:PutRecordBatch/);
  assert.deepEqual(errors, []);
});

test("the ADOT collector's configuration is read (AWS's Prometheus page), by the full module", async () => {
  const { page, errors } = await open();
  // The ECS guide's task definition: --config=/etc/ecs/ecs-amp.yaml and AWS_PROMETHEUS_ENDPOINT
  // give the task role aps:RemoteWrite on exactly that workspace.
  const td = await readFile(REALWORLD + "aws-docs-adot-amp/application-metrics-prometheus.json", "utf8");
  await calc(page).locator("#doc").fill(td);
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot
    .querySelector('article[data-kind="task"]')?.textContent.includes("workspace/ws-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"));
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").full), true);
  assert.match(await calc(page).locator('article[data-kind="task"]').textContent(), /aps:RemoteWrite/);
  assert.deepEqual(errors, []);
});

test("the CloudWatch agent's CW_CONFIG_CONTENT is read section by section, by the full module", async () => {
  // The example: StatsD metrics in one namespace, a log file's group, X-Ray traces.
  const { page, errors } = await open("/index.html", "fargate-cloudwatch-agent-sidecar");
  const task = calc(page).locator('article[data-kind="task"]');
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot
    .querySelector('article[data-kind="task"]')?.textContent.includes("CloudWatchAgentMetrics"));
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").full), true);
  const card = await task.textContent();
  assert.match(card, /cloudwatch:namespace.*Shop\/Orders/);
  assert.match(card, /log-group:\/shop\/orders\/app:\*/);
  assert.match(card, /xray:PutTraceSegments/);
  // A real Terraform template (Application Signals' test framework): its image is a variable;
  // given it, the agent is recognised and what the plan cannot grant is said beside the text.
  const tpl = await readFile(REALWORLD + "aws-appsignals-terraform-python-cwagent/main-service.json.tpl", "utf8");
  await calc(page).locator("#doc").fill(tpl);
  await calc(page).locator("#ov-vars").fill("cwagent_image=public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest, aws_region=us-west-2, app_image=public.ecr.aws/x/app:1, init_image=public.ecr.aws/x/init:1, app_service_name=py");
  await calc(page).locator("#doc-findings").filter({ hasText: "runs Application Signals" }).waitFor();
  assert.equal(await calc(page).locator('article[data-kind="task"]').count(), 1);
  assert.deepEqual(errors, []);
});

test("the guided form updates the results as you type, with findings next to the field", async () => {
  const { page, errors } = await open();
  await calc(page).locator("#mode-form").click();
  await calc(page).locator("#f-launchType").selectOption("EC2");
  // The network modes come from the core's launch-type facts (every mode some launch type takes).
  const modes = await calc(page).locator("#f-networkMode option").evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual([...modes].sort(), ["awsvpc", "bridge", "host", "none"]);
  await calc(page).locator("#f-networkMode").selectOption("bridge");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "containerInstance"));
  assert.ok((await kinds(page)).includes("containerInstance"));
  // The lifecycle's moments come from the core's role-kind registry, the instance role under
  // Capacity.
  const moments = await calc(page).locator(".lifecycle .moment > h3").allTextContents();
  assert.deepEqual(moments, ["1 · Capacity", "2 · Task launch", "3 · Task running", "4 · Service"]);
  const instance = calc(page).locator('.lifecycle .moment:has(.role-box[data-kind="containerInstance"]) > h3');
  assert.equal(await instance.textContent(), "1 · Capacity");
  await calc(page).locator("#c-0-image").fill("");
  const finding = calc(page).locator("#c-0-image").locator("xpath=..").locator(".finding.error");
  await finding.waitFor();
  assert.match(await finding.textContent(), /has no image/);
  await calc(page).locator("#a-0-kind").selectOption("sns");
  assert.equal(await calc(page).locator("#a-0-access").count(), 0, "SNS has no access level in the spec schema");
  await calc(page).locator("#a-0-resource").fill("events");
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.textContent.includes("AppSnsPublish"));
  await calc(page).locator("#f-exec").check();
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.textContent.includes("EcsExecSsmMessages"));
  // Service Connect TLS: its infrastructure role appears (card and lifecycle, from the core's
  // registry), with the key grant; a key without a CA is an error at the CA field.
  await calc(page).locator("#f-tlsKey").fill("arn:aws:kms:us-east-1:111122223333:key/5c6d7e8f-1a2b-3c4d-5e6f-7a8b9c0d1e2f");
  const caError = calc(page).locator("#f-tlsCa").locator("xpath=..").locator(".finding.error");
  await caError.waitFor();
  assert.match(await caError.textContent(), /private CA/);
  await calc(page).locator("#f-tlsCa").fill("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "serviceConnectTls"));
  assert.ok(await calc(page).locator('.lifecycle .moment:has(.role-box[data-kind="serviceConnectTls"]) > h3').textContent().then((t) => t === "4 · Service"));
  assert.ok((await calc(page).locator('article.card[data-kind="serviceConnectTls"]').textContent()).includes("ServiceConnectTlsKey"));
  // VPC Lattice: an ELB target group is the core's error at the field; a Lattice one plans the
  // infrastructure role with registration on exactly that target group.
  await calc(page).locator("#f-latticeTargetGroup").fill("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123");
  const tgError = calc(page).locator("#f-latticeTargetGroup").locator("xpath=..").locator(".finding.error");
  await tgError.waitFor();
  assert.match(await tgError.textContent(), /is not the ARN this field takes \(arn:aws:vpc-lattice:<region>:<account>:targetgroup\/…\)/);
  await calc(page).locator("#f-latticeTargetGroup").fill("arn:aws:vpc-lattice:us-east-1:111122223333:targetgroup/tg-0123456789abcdef0");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "vpcLattice"));
  assert.ok((await calc(page).locator('article.card[data-kind="vpcLattice"]').textContent()).includes("tg-0123456789abcdef0"));
  // Blue/green: an alternate target group without the primary one is the core's error at the
  // primary's field; with both, the load balancer infrastructure role; a hook adds its role.
  await calc(page).locator("#f-bgAlternate").fill("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/green/fedcba9876543210");
  const primaryError = calc(page).locator("#f-targetGroupArn").locator("xpath=..").locator(".finding.error");
  await primaryError.waitFor();
  await calc(page).locator("#f-targetGroupArn").fill("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/blue/0123456789abcdef");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "loadBalancerInfrastructure"));
  assert.ok((await calc(page).locator('article.card[data-kind="loadBalancerInfrastructure"]').textContent()).includes("targetgroup/green/fedcba9876543210"));
  await calc(page).locator("#f-bgHook").fill("arn:aws:lambda:us-east-1:111122223333:function:approve");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "lifecycleHooks"));
  assert.ok((await calc(page).locator('.lifecycle .moment:has(.role-box[data-kind="lifecycleHooks"]) > h3').textContent()).endsWith("Service"));
  // CodeDeploy instead: its service role, with ModifyListener on exactly that listener.
  await calc(page).locator("#f-cdListener").fill("arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2");
  await page.waitForFunction(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("article.card")].some((a) => a.dataset.kind === "codeDeploy"));
  assert.ok((await calc(page).locator('article.card[data-kind="codeDeploy"]').textContent()).includes("listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"));
  // Launchers: each its own role, trusting exactly what launches; .sync adds the task watch.
  await calc(page).locator("#f-ebRule").fill("nightly-report");
  await calc(page).locator("#f-stateMachine").fill("reports-on-demand");
  await calc(page).locator("#f-sfnSync").check();
  await page.waitForFunction(() => ["eventBridge", "stepFunctions"].every((k) => document.querySelector("ecs-role-calculator").shadowRoot.querySelector(`article.card[data-kind="${k}"]`)));
  const rule = await calc(page).locator('article.card[data-kind="eventBridge"]').textContent();
  assert.match(rule, /rule\/nightly-report/);
  assert.match(rule, /ecs:RunTask/);
  assert.match(await calc(page).locator('article.card[data-kind="stepFunctions"]').textContent(), /StepFunctionsGetEventsForECSTaskRule/);
  // A launcher that starts the task with ECS Exec on gives the task role the channels, with the
  // service's own ECS Exec off; unchecked, they go.
  const channels = (on) => on === !!document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article.card[data-kind="task"]')?.textContent.includes("EcsExecSsmMessages");
  await calc(page).locator("#f-exec").uncheck();
  await page.waitForFunction(channels, false);
  await calc(page).locator("#f-launchExec").check();
  await page.waitForFunction(channels, true);
  await calc(page).locator("#f-launchExec").uncheck();
  await page.waitForFunction(channels, false);
  await calc(page).locator("#f-exec").check();
  // Launchers that tag the tasks they start: ecs:TagResource, only at RunTask (ecs:CreateAction).
  const tags = (on) => on === !!document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article.card[data-kind="eventBridge"]')?.textContent.includes("TagTasksAtLaunch");
  await calc(page).locator("#f-launchTags").check();
  await page.waitForFunction(tags, true);
  assert.match(await calc(page).locator('article.card[data-kind="eventBridge"]').textContent(), /ecs:CreateAction/);
  await calc(page).locator("#f-launchTags").uncheck();
  await page.waitForFunction(tags, false);
  // Both start tasks: the lifecycle diagram puts them at task launch (phases come from the core).
  for (const k of ["eventBridge", "stepFunctions"]) {
    assert.ok((await calc(page).locator(`.lifecycle .moment:has(.role-box[data-kind="${k}"]) > h3`).textContent()).endsWith("Task launch"), k);
  }
  await calc(page).locator("#f-scheduleGroup").fill("arn:aws:events:us-east-1:111122223333:rule/not-a-group");
  const groupError = calc(page).locator("#f-scheduleGroup").locator("xpath=..").locator(".finding.error");
  await groupError.waitFor();
  assert.match(await groupError.textContent(), /arn:aws:scheduler:<region>:<account>:schedule-group\//);
  // The rule cleared, the schedule is launchers[0]: its error stays beside its own field.
  await calc(page).locator("#f-ebRule").fill("");
  await page.waitForFunction(() => !document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article.card[data-kind="eventBridge"]'));
  await groupError.waitFor();
  assert.equal(await calc(page).locator("#f-ebRule").locator("xpath=..").locator(".finding").count(), 0);
  // Service auto scaling: Application Auto Scaling's own role, in the Service moment.
  await calc(page).locator("#f-scales").check();
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article.card[data-kind="autoScaling"]'));
  assert.match(await calc(page).locator('article.card[data-kind="autoScaling"]').textContent(), /AWSServiceRoleForApplicationAutoScaling_ECSService[\s\S]*ecs\.application-autoscaling\.amazonaws\.com/);
  assert.ok((await calc(page).locator('.lifecycle .moment:has(.role-box[data-kind="autoScaling"]) > h3').textContent()).endsWith("Service"));
  assert.equal(await calc(page).locator('article.card[data-kind="autoScaling"] [data-copy]').count(), 0, "AWS writes it: nothing to copy");
  // GuardDuty: on EC2 its agent runs on the host (said beside the box); on Fargate it is a
  // sidecar whose image the execution role pulls from exactly GuardDuty's repository here.
  await calc(page).locator("#f-guardDuty").check();
  await calc(page).locator("#f-guardDuty").locator("xpath=../..").locator(".finding.info", { hasText: "on the container instance" }).waitFor();
  await calc(page).locator("#f-launchType").selectOption("FARGATE");
  await calc(page).locator("#f-networkMode").selectOption("awsvpc");
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelector('article.card[data-kind="taskExecution"]')?.textContent.includes("GuardDutyAgentPull"));
  assert.match(await calc(page).locator('article.card[data-kind="taskExecution"]').textContent(), /arn:\s*aws:\s*ecr:\s*us-east-1:\s*593207742271:\s*repository\/\s*aws-guardduty-agent-fargate/);
  // Express Mode: the infrastructure role (AWS's policy, trusted by ECS) in the Service moment,
  // and ECS's rule that the task definition's primary container is named Main.
  await calc(page).locator("#f-express").check();
  const express = calc(page).locator('article.card[data-kind="expressInfrastructure"]');
  await express.waitFor();
  assert.match(await express.textContent(), /AmazonECSInfrastructureRoleforExpressGatewayServices[\s\S]*ecs\.amazonaws\.com|ecs\.amazonaws\.com[\s\S]*AmazonECSInfrastructureRoleforExpressGatewayServices/);
  assert.ok((await calc(page).locator('.lifecycle .moment:has(.role-box[data-kind="expressInfrastructure"]) > h3').textContent()).endsWith("Service"));
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.textContent.includes("container named Main"));
  await calc(page).locator("#c-0-name").fill("Main");
  await page.waitForFunction(() => !document.querySelector("ecs-role-calculator").shadowRoot.textContent.includes("container named Main"));
  await page.screenshot({ path: SHOTS + "form.png", fullPage: true });
  assert.deepEqual(errors, []);
});

test("the guided form expresses issue 13's remaining triggers: pull through cache, cluster keys, gMSA, FSx, the agent's awslogs setting, FireLens outputs", async () => {
  const { page, errors, context } = await open();
  await calc(page).locator("#mode-form").click();
  // The plan the page shows (the element keeps the core's last answer).
  const plan = () => page.evaluate(() => document.querySelector("ecs-role-calculator").last.plan);
  const sids = async (kind) => (await plan()).roles.find((r) => r.kind === kind)?.inlinePolicies.flatMap((p) => p.document.statements) ?? [];
  const until = async (pred, what) => {
    for (let i = 0; i < 100; i++) {
      if (pred(await plan())) return;
      await page.waitForTimeout(50);
    }
    assert.fail(`the plan never showed ${what}`);
  };
  const statement = (p, kind, sid) => p.roles.find((r) => r.kind === kind)?.inlinePolicies.flatMap((x) => x.document.statements).find((s) => s.sid === sid);
  // An image under a pull through cache prefix: the execution role imports it on first pull.
  await calc(page).locator("#c-0-image").fill("111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1.27");
  await calc(page).locator("#f-pullThroughPrefix").fill("docker-hub");
  await until((p) => statement(p, "taskExecution", "EcrPullThroughCache")?.resources.includes("arn:aws:ecr:us-east-1:111122223333:repository/docker-hub/library/nginx"), "the pull through cache import");
  // Fargate's ephemeral storage key: the key-policy companion for fargate.amazonaws.com.
  const storageKey = "arn:aws:kms:us-east-1:111122223333:key/5c6d7e8f-1a2b-3c4d-5e6f-7a8b9c0d1e2f";
  await calc(page).locator("#f-storageKey").fill(storageKey);
  await until((p) => p.companions.kmsKeyPolicies?.some((k) => k.resource === storageKey && JSON.stringify(k.document).includes("fargate.amazonaws.com")), "the storage key's policy");
  // ECS Exec with a session key: whoever runs execute-command may make data keys with it.
  const execKey = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
  await calc(page).locator("#f-exec").check();
  await calc(page).locator("#f-execKey").fill(execKey);
  await until((p) => p.companions.execCallerPolicy?.statements.some((s) => s.actions.includes("kms:GenerateDataKey") && s.resources.includes(execKey)), "the Exec caller's key grant");
  // ECS Exec logging: DEFAULT writes the container's awslogs group with the task role; OVERRIDE
  // the log group and bucket named; NONE nothing.
  await until((p) => statement(p, "task", "EcsExecDefaultLogging"), "DEFAULT logging");
  await calc(page).locator("#f-execLogging").selectOption("OVERRIDE");
  await calc(page).locator("#f-execLogGroup").fill("/ecs/exec-audit");
  await calc(page).locator("#f-execBucket").fill("exec-audit-logs");
  await until((p) => statement(p, "task", "EcsExecWriteLogs")?.resources.some((r) => r.includes("log-group:/ecs/exec-audit")) && statement(p, "task", "EcsExecS3PutObject")?.resources.some((r) => r.startsWith("arn:aws:s3:::exec-audit-logs/")) && !statement(p, "task", "EcsExecDefaultLogging"), "OVERRIDE logging");
  await calc(page).locator("#f-execLogging").selectOption("NONE");
  await until((p) => !statement(p, "task", "EcsExecWriteLogs") && !statement(p, "task", "EcsExecDefaultLogging") && statement(p, "task", "EcsExecSsmMessages"), "NONE logging");
  await calc(page).locator("#f-execLogging").selectOption("DEFAULT");
  await until((p) => statement(p, "task", "EcsExecDefaultLogging"), "DEFAULT logging again");
  // gMSA: the execution role reads the CredSpec object.
  await calc(page).locator("#c-0-credentialSpec").fill("credentialspecdomainless:arn:aws:s3:::corp-gmsa/app/credspec.json");
  await until((p) => statement(p, "taskExecution", "GmsaCredSpecGetObject")?.resources.includes("arn:aws:s3:::corp-gmsa/app/credspec.json"), "the CredSpec read");
  // Domainless: the domain user's secret the CredSpec names, read exactly.
  const gmsaUser = "arn:aws:secretsmanager:us-east-1:111122223333:secret:ad/user-Ab12Cd";
  await calc(page).locator("#c-0-gmsaUser").fill(gmsaUser);
  await until((p) => statement(p, "taskExecution", "GmsaDomainUserSecret")?.resources.includes(gmsaUser), "the domain user's secret read");
  // On EC2: FSx for Windows' credentials with the execution role, and awslogs moved to the
  // instance role by the agent setting.
  await calc(page).locator("#f-launchType").selectOption("EC2");
  await calc(page).locator("#f-networkMode").selectOption("bridge");
  await calc(page).locator("#f-fsxId").fill("fs-0123456789abcdef0");
  const secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:fsx/user-Ab12Cd";
  await calc(page).locator("#f-fsxCredentials").fill(secret);
  await until((p) => statement(p, "taskExecution", "FsxWindowsCredentialsSecret")?.resources.includes(secret), "the FSx credentials read");
  assert.ok((await sids("taskExecution")).some((s) => s.sid === "AwslogsWriteLogs"), "awslogs with the execution role by default");
  await calc(page).locator("#f-noAwslogsOverride").check();
  await until((p) => statement(p, "containerInstance", "AwslogsWriteLogs") && !statement(p, "taskExecution", "AwslogsWriteLogs"), "awslogs on the instance role");
  // FireLens: a router on aws-for-fluent-bit's init image with a config file in S3, and an
  // application container whose output signs to OpenSearch, then writes through another
  // account's role: each as the core plans it on the task role.
  await calc(page).locator("#add-container").click();
  await calc(page).locator("#c-1-image").fill("public.ecr.aws/aws-observability/aws-for-fluent-bit:init-latest");
  await calc(page).locator("#c-1-router").selectOption("fluentbit");
  await calc(page).locator("#c-1-env").fill("aws_fluent_bit_init_s3_1=arn:aws:s3:::cfg/fluent-bit/extra.conf");
  await until((p) => statement(p, "task", "FluentBitInitS3Config")?.resources.includes("arn:aws:s3:::cfg/fluent-bit/extra.conf"), "the init image's S3 read");
  await calc(page).locator("#c-0-firelens").fill("Name=opensearch\nHost=search-logs-abc123.us-east-1.es.amazonaws.com\nAWS_Auth=On");
  await until((p) => statement(p, "task", "FirelensOpenSearchBulk")?.resources.includes("arn:aws:es:us-east-1:111122223333:domain/logs/_bulk"), "the OpenSearch bulk write");
  await calc(page).locator("#c-0-firelens").fill("Name=cloudwatch_logs\nregion=us-east-1\nlog_group_name=/audit\nrole_arn=arn:aws:iam::444455556666:role/log-writer");
  await until((p) => statement(p, "task", "FirelensAssumeOutputRole")?.resources.includes("arn:aws:iam::444455556666:role/log-writer"), "the output role's assume");
  // With those boxes filled, a share link holds the form's workload as a document, through the
  // core's shareable as a pasted one: names stay, an environment value does not.
  await calc(page).locator("#c-0-env").fill("DB_PASSWORD=hunter2-plaintext");
  const { url, holds } = await page.evaluate(() => document.querySelector("ecs-role-calculator").shareUrl());
  assert.match(holds, /workload as a document without its environment values/);
  const held = await page.evaluate(async (hash) => {
    const { decodeState } = await import("./ecs-role-calculator.js");
    return JSON.stringify(await decodeState(hash));
  }, url.split("#z=")[1]);
  assert.ok(held.includes("DB_PASSWORD") && held.includes("aws_fluent_bit_init_s3_1") && !held.includes("hunter2-plaintext"), held);
  assert.deepEqual(errors, []);
  await context.close();
});

test("every output tab renders, copies and downloads", async () => {
  const { page, errors } = await open();
  const tabs = await calc(page).locator("[data-format]").evaluateAll((els) => els.map((e) => e.dataset.format));
  assert.equal(tabs.length, 11);
  // The summary, the plan and the IAM documents come with the plain module; the deployment
  // formats fetch the full one on first use.
  const fetchedFull = () => page.evaluate(() => performance.getEntriesByType("resource").some((r) => r.name.includes("ecsroles_wasm_full")));
  for (const basic of ["json", "iam", "summary"]) {
    await calc(page).locator(`[data-format="${basic}"]`).click();
    await calc(page).locator('#output[aria-busy="false"]').waitFor();
  }
  assert.equal(await fetchedFull(), false);
  for (const name of tabs) {
    await calc(page).locator(`[data-format="${name}"]`).click();
    await calc(page).locator(`[data-format="${name}"][aria-selected="true"]`).waitFor();
    await calc(page).locator('#output[aria-busy="false"]').waitFor();
    const text = await calc(page).locator("#output").textContent();
    assert.ok(text.length > 50, `${name} output is empty`);
    await calc(page).locator("#copy").click();
    await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("status").textContent === "Copied");
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clip, text, `${name}: clipboard differs from the shown output`);
  }
  assert.equal(await fetchedFull(), true);
  const [download] = await Promise.all([page.waitForEvent("download"), calc(page).locator("#download").click()]);
  assert.match(download.suggestedFilename(), /^web-api\./);
  await calc(page).locator('[data-format="terraform"]').click();
  await page.screenshot({ path: SHOTS + "outputs.png", fullPage: true });
  assert.deepEqual(errors, []);
});

test("a share link restores the full state", async () => {
  const { page, errors, context } = await open();
  await calc(page).locator("#mode-form").click();
  await calc(page).locator("#f-name").fill("shared-app");
  await calc(page).locator('[data-format="cloudformation-yaml"]').click();
  await calc(page).locator("#share").click();
  await page.waitForFunction(() => location.hash.startsWith("#z="));
  const url = await page.evaluate(() => location.href);
  const other = await context.newPage();
  await other.goto(url);
  await other.locator("ecs-role-calculator .card").first().waitFor();
  assert.equal(await calc(other).locator("#f-name").inputValue(), "shared-app");
  assert.equal(await calc(other).locator('[data-format="cloudformation-yaml"]').getAttribute("aria-selected"), "true");
  await calc(other).locator('#output[aria-busy="false"]').waitFor(); // the full module renders it
  assert.match(await calc(other).locator("#output").textContent(), /RoleName: shared-app-execution/);
  assert.deepEqual(errors, []);
});

test("a share link leaves out environment values and commands, says so, and plans the same roles", async () => {
  const { page, errors, context } = await open();
  const td = JSON.parse(await readFile(EXAMPLES + "describe-task-definition.json", "utf8"));
  const c = (td.taskDefinition ?? td).containerDefinitions[0];
  c.environment = [...(c.environment ?? []), { name: "DB_PASSWORD", value: "hunter2-plaintext" }];
  c.command = ["sh", "-c", "curl -H 'Authorization: token-in-command' https://example.com"];
  await calc(page).locator("#doc").fill(JSON.stringify(td, null, 2));
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("storefront"));
  const roles = await calc(page).locator("article.card").allTextContents();
  await calc(page).locator("#share").click();
  await page.waitForFunction(() => location.hash.startsWith("#z="));
  const status = calc(page).locator("#status");
  await status.filter({ hasText: "Link copied" }).waitFor();
  assert.match(await status.textContent(), /without its environment values, commands/);
  const url = await page.evaluate(() => location.href);
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clip, url, "the link on the clipboard is the one in the address bar");
  // What the link holds, decoded as any reader of the URL could.
  const held = await page.evaluate(async (hash) => {
    const { decodeState } = await import("./ecs-role-calculator.js");
    return JSON.stringify(await decodeState(hash));
  }, url.split("#z=")[1]);
  assert.ok(held.includes("DB_PASSWORD"), "names stay");
  assert.ok(!held.includes("hunter2-plaintext") && !held.includes("token-in-command"), held);
  assert.ok(url.length < JSON.stringify(td).length, `compressed: ${url.length} < ${JSON.stringify(td).length}`);
  const other = await context.newPage();
  await other.goto(url);
  await other.locator("ecs-role-calculator .card").first().waitFor();
  await other.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("storefront"));
  assert.deepEqual(await calc(other).locator("article.card").allTextContents(), roles, "the same roles");
  assert.ok(!(await calc(other).locator("#doc").inputValue()).includes("hunter2"));
  assert.deepEqual(errors, []);
});

test("a keystroke that changes one role replaces that card only; the others keep their state and their controls work", async () => {
  const { page, errors } = await open(); // the fargate-web-api example: execution and task roles to create
  const text = await calc(page).locator("#doc").inputValue();
  // Mark every result section's node, and open the task role's trust policy.
  await page.evaluate(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("#results > *").forEach((n, i) => { n.__mark = i; }));
  await calc(page).locator('article[data-kind="task"] details summary').click();
  // Another parameter name: only the execution role's card is replaced; the rendered output
  // changes in place (its text is set, the outputs card and its tabs stay).
  assert.ok(text.includes("/prod/web-api/flags"));
  await calc(page).locator("#doc").fill(text.replace("/prod/web-api/flags", "/prod/web-api/typed"));
  await calc(page).locator('article[data-kind="taskExecution"]').filter({ hasText: "web-api/typed" }).waitFor();
  const kept = await page.evaluate(() => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("#results > *")].map((n) => [n.dataset.kind || n.id || n.className, n.__mark !== undefined]));
  const replaced = kept.filter(([, same]) => !same).map(([k]) => k);
  assert.deepEqual(replaced, ["taskExecution"], JSON.stringify(kept));
  assert.match(await calc(page).locator("#output").textContent(), /web-api\/typed/);
  assert.equal(await calc(page).locator('article[data-kind="task"] details').getAttribute("open"), "");
  // The controls of a replaced card and of a kept one still act (listeners are delegated).
  for (const kind of ["taskExecution", "task"]) {
    const b = calc(page).locator(`article[data-kind="${kind}"] [data-copy="trust"]`);
    await b.click();
    await b.filter({ hasText: "Copied" }).waitFor();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /ecs-tasks\.amazonaws\.com/);
  }
  await calc(page).locator('[data-format="json"]').click();
  await calc(page).locator("#output").filter({ hasText: "web-api/typed" }).waitFor();
  assert.deepEqual(errors, []);
});

test("every role card copies its policy and trust policy as documents IAM accepts, with feedback on the button", async () => {
  const { page, errors } = await open(); // the fargate-web-api example: roles it creates
  const IAM_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
  const buttons = calc(page).locator("article.card [data-copy]");
  const n = await buttons.count();
  assert.ok(n >= 4, `${n} copy buttons`); // execution + task role: policy and trust each
  for (let i = 0; i < n; i++) {
    const b = buttons.nth(i);
    const what = await b.getAttribute("data-copy");
    await b.click();
    await b.filter({ hasText: "Copied" }).waitFor();
    const doc = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.equal(doc.Version, "2012-10-17", what);
    assert.ok(Array.isArray(doc.Statement) && doc.Statement.length, what);
    for (const st of doc.Statement) {
      for (const k of Object.keys(st)) assert.ok(IAM_KEYS.has(k), `${what}: ${k} is not IAM policy grammar`);
      assert.ok(st.Effect === "Allow" || st.Effect === "Deny");
      if (what === "trust") assert.ok(st.Principal && /sts:AssumeRole/.test(JSON.stringify(st.Action)), what);
      else assert.ok(st.Resource || st.NotResource, what);
    }
  }
  // The outputs are one click from the top, with focus on their selected tab.
  await calc(page).locator("#to-outputs").click();
  assert.equal(await page.evaluate(() => document.querySelector("ecs-role-calculator").shadowRoot.activeElement?.dataset.format), "summary");
  // Tabs by the names people know, from the core.
  assert.equal(await calc(page).locator('[data-format="iam"]').textContent(), "IAM documents");
  assert.equal(await calc(page).locator('[data-format="cloudformation-yaml"]').textContent(), "CloudFormation YAML");
  assert.deepEqual(errors, []);
});

test("the paste box opens and takes dropped files, clears with undo, and keeps its text across the form", async () => {
  const { page, errors } = await open();
  const doc = calc(page).locator("#doc");
  const summary = () => calc(page).locator("#plan-summary").textContent();
  // Cleared: what to do first, not an error.
  await calc(page).locator("#doc-clear").click();
  await calc(page).locator("#welcome").waitFor();
  assert.equal(await calc(page).locator("#doc-error").textContent(), "");
  assert.match(await doc.getAttribute("placeholder"), /Paste or drop your task definition/);
  await calc(page).locator("#doc-undo").click();
  await calc(page).locator("#plan-summary").waitFor();
  // A file opened through the picker.
  const td = await readFile(EXAMPLES + "describe-task-definition.json", "utf8");
  await calc(page).locator("#doc-file").setInputFiles({ name: "td.json", mimeType: "application/json", buffer: Buffer.from(td) });
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary")?.textContent.includes("storefront"));
  // A file dropped on the box.
  const dropped = JSON.stringify({ family: "dropped-app", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", containerDefinitions: [{ name: "a", image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/a:1" }] });
  await doc.evaluate((el, text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], "dropped.json", { type: "application/json" }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, dropped);
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary")?.textContent.includes("dropped-app"));
  assert.equal(await doc.inputValue(), dropped);
  // To the form and back: the pasted text is still there, untouched.
  await calc(page).locator("#mode-form").click();
  await calc(page).locator("#mode-paste").click();
  assert.equal(await calc(page).locator("#doc").inputValue(), dropped);
  assert.match(await summary(), /dropped-app/);
  // Replacing it with the form's workload is a choice, and can be undone.
  await calc(page).locator("#doc-from-form").click();
  assert.match(await calc(page).locator("#doc").inputValue(), /"taskDefinition"/);
  await calc(page).locator("#doc-undo").click();
  assert.equal(await calc(page).locator("#doc").inputValue(), dropped);
  assert.deepEqual(errors, []);
});

test("no sideways scrolling at 320, 390, 768 and 1440 px; screenshots of each view", async () => {
  for (const width of [320, 390, 768, 1440]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(base + "/index.html");
    await page.locator("ecs-role-calculator .card").first().waitFor();
    await calc(page).locator("#example").selectOption("fargate-web-api");
    await calc(page).locator("#plan-summary").waitFor();
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width} px: the page is ${scroll} px wide`);
    if (width !== 320) {
      await page.screenshot({ path: `${SHOTS}first-view-${width}.png` });
      await calc(page).locator('article[data-kind="taskExecution"]').screenshot({ path: `${SHOTS}role-card-${width}.png` });
      await calc(page).locator(".diagram").screenshot({ path: `${SHOTS}diagram-${width}.png` });
      await calc(page).locator(".outputs").screenshot({ path: `${SHOTS}outputs-${width}.png` });
    }
    await context.close();
  }
});

test("in a 600 px column of a hostile page the element stacks, and nothing leaves the column", async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.route(`${base}/hostile.html`, (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html>
    <style>* { font: 20px serif !important; } body { margin: 0; } .col { width: 600px; margin: 0 auto; }</style>
    <script type="module" src="./ecs-role-calculator.js"></script>
    <div class="col"><h1>Our docs</h1><ecs-role-calculator example="fargate-web-api"></ecs-role-calculator></div>` }));
  await page.goto(`${base}/hostile.html`);
  await page.locator("ecs-role-calculator .card").first().waitFor();
  const box = (sel) => calc(page).locator(sel).first().boundingBox();
  const [input, results] = [await box(".input"), await box(".results")];
  assert.ok(results.y >= input.y + input.height - 1, "results below the input, not squeezed beside it");
  assert.ok(results.width > 500, `results ${results.width} px wide`);
  const col = await page.locator(".col").boundingBox();
  const outside = await page.evaluate((right) => [...document.querySelector("ecs-role-calculator").shadowRoot.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().width && e.getBoundingClientRect().right > right + 1).map((e) => e.tagName + "." + e.className), col.x + col.width);
  assert.deepEqual(outside, []);
  const font = await calc(page).locator(".card .who").first().evaluate((e) => getComputedStyle(e).fontSize + " " + getComputedStyle(e).fontFamily);
  assert.ok(font.startsWith("14px ") && !/^14px serif$/.test(font), `the page's font reached inside: ${font}`);
  await page.screenshot({ path: `${SHOTS}hostile-600px-column.png`, fullPage: true });
  await context.close();
});

test("keyboard only: paste, move through tabs with the arrows, reach a copy button and copy", async () => {
  const { page, errors } = await open();
  const active = () => page.evaluate(() => {
    const a = document.querySelector("ecs-role-calculator").shadowRoot.activeElement;
    return a ? (a.id || a.dataset.format || a.dataset.copy || a.tagName) : "body";
  });
  // Input tabs: arrows move and select, focus stays on the tab.
  await calc(page).locator("#mode-paste").focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await active(), "mode-form");
  assert.equal(await calc(page).locator("#mode-form").getAttribute("aria-selected"), "true");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await active(), "mode-paste");
  // Paste by keyboard.
  await calc(page).locator("#doc").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(await readFile(EXAMPLES + "describe-task-definition.json", "utf8"));
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("storefront"));
  assert.match(await calc(page).locator("#announce").textContent(), /roles involved/);
  // Output tabs: Enter keeps focus on the tab; arrows select the next one.
  await calc(page).locator('[data-format="summary"]').focus();
  await page.keyboard.press("Enter");
  assert.equal(await active(), "summary");
  await page.keyboard.press("ArrowRight");
  assert.equal(await active(), "json");
  assert.equal(await calc(page).locator('[data-format="json"]').getAttribute("aria-selected"), "true");
  assert.equal(await calc(page).locator('[data-format="summary"]').getAttribute("tabindex"), "-1", "one tab stop per tab list");
  // Tab from the document to the first copy button, then Enter copies.
  await calc(page).locator("#doc").focus();
  let reached = null;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press("Tab");
    const a = await active();
    if (a.startsWith("policy:") || a === "trust") reached = a;
  }
  assert.ok(reached, "a copy button is reachable with Tab");
  await page.keyboard.press("Enter");
  const doc = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.equal(doc.Version, "2012-10-17");
  assert.deepEqual(errors, []);
});

test("every error points into the text: broken JSON by line and column, a wrong shape found by its field, a float where a string belongs", async () => {
  const { page, errors } = await open();
  const doc = calc(page).locator("#doc");
  const errorBox = calc(page).locator("#doc-error");
  await doc.fill('{\n  "family": "x",\n  "containerDefinitions": [\n    {"name": "a", "image": "i",}\n  ]\n}');
  await errorBox.filter({ hasText: "line 4, column" }).waitFor();
  // The core reports this one by field only (it reshapes the document first); the page finds it.
  await doc.fill('{\n  "family": "x",\n  "containerDefinitions": [\n    {"name": "a", "image": "i",\n     "secrets": {"name": "A", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/x"}}\n  ]\n}');
  await errorBox.filter({ hasText: "containerDefinitions[0].secrets" }).waitFor();
  assert.match(await errorBox.textContent(), /line 5, column 17 · containerDefinitions\[0\]\.secrets: found an object/);
  await calc(page).locator("#doc-error-show").click();
  const selected = await doc.evaluate((el) => el.value.slice(el.selectionStart, el.selectionEnd));
  assert.ok(selected.startsWith('{"name": "A"'), selected);
  // A float where a string belongs: the number is in the message (the module has no float
  // formatter of Rust's: web/scripts/no-float-format.mjs; serde_json prints it).
  await doc.fill('{"family": "x", "executionRoleArn": 1.5, "containerDefinitions": [{"name": "a", "image": "nginx"}]}');
  await errorBox.filter({ hasText: "floating point `1.5`, expected a string" }).waitFor();
  assert.deepEqual(errors, []);
});

test("beside a pasted task definition, the application's access panel adds task-role grants, with raw statements checked as typed", async () => {
  const { page, errors } = await open();
  const td = JSON.stringify({ family: "orders", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc",
    containerDefinitions: [{ name: "a", image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/orders:1" }] }, null, 2);
  await calc(page).locator("#doc").fill(td);
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary")?.textContent.includes("orders"));
  assert.equal(await calc(page).locator('article[data-kind="task"]').count(), 0, "nothing says what the app calls yet");
  await calc(page).locator("#p-add-access").click();
  await calc(page).locator("#p-0-kind").selectOption("s3");
  await calc(page).locator("#p-0-resource").fill("orders-archive");
  const task = calc(page).locator('article[data-kind="task"]');
  await task.waitFor();
  assert.match(await task.textContent(), /arn:aws:s3:::orders-archive/);
  // Raw statements: not JSON yet, then a resource IAM would refuse, then a good one.
  const box = calc(page).locator("#p-statements");
  await box.fill('[{"Effect": "Allow", "Action": "dynamodb:GetItem"');
  await calc(page).locator("#p-statements-error").filter({ hasText: "Not JSON yet" }).waitFor();
  await box.fill('[{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "orders-table"}]');
  await calc(page).locator(".app .field-finding").filter({ hasText: "is neither an ARN" }).waitFor();
  await box.fill('[{"Sid": "Orders", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"}]');
  await task.filter({ hasText: "table/orders" }).waitFor();
  assert.equal(await calc(page).locator(".app .field-finding").count(), 0);
  assert.equal(await calc(page).locator("#p-statements-error").textContent(), "");
  // The pasted text itself is untouched.
  assert.equal(await calc(page).locator("#doc").inputValue(), td);
  assert.deepEqual(errors, []);
});

test("after unreadable input, the earlier results are marked as not this input's and cannot be copied", async () => {
  const { page, errors } = await open();
  const before = await kinds(page);
  const stale = () => calc(page).locator("#results").getAttribute("data-stale");
  assert.equal(await stale(), "false");
  await calc(page).locator("#doc").fill('{ "family": "x",\n  "containerDefinitions": [ oops ] }');
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("doc-error").textContent !== "");
  assert.match(await calc(page).locator("#doc-error").textContent(), /line 2, column \d+/);
  // The earlier workload's roles are still there, but said to be stale, dimmed, not copyable.
  assert.deepEqual(await kinds(page), before);
  assert.equal(await stale(), "true");
  assert.match(await calc(page).locator("#stale").textContent(), /Not the roles of the text shown/);
  assert.equal(await calc(page).locator("#copy").isDisabled(), true);
  assert.equal(await calc(page).locator("#download").isDisabled(), true);
  assert.equal(await calc(page).locator("#doc-findings").textContent(), "", "no findings of the earlier input beside the text");
  await page.screenshot({ path: SHOTS + "error.png" });
  await calc(page).locator("#doc").fill('{"containerDefinitions": [{"name": "a", "image": 5}]}');
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("doc-error").textContent.includes("containerDefinitions[0].image"));
  assert.equal(await stale(), "true");
  // Readable again: fresh results, copyable.
  await calc(page).locator("#doc").fill('{"containerDefinitions": [{"name": "a", "image": "nginx"}]}');
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("doc-error").textContent === "");
  assert.equal(await stale(), "false");
  assert.equal(await calc(page).locator("#stale").count(), 0);
  assert.equal(await calc(page).locator("#copy").isDisabled(), false);
  assert.deepEqual(errors, []);
});

test("the audit box judges pasted roles against the plan: missing, broader, trust and the fix to copy; never an earlier workload's", async () => {
  const { page, errors } = await open(); // the fargate-web-api example
  const fetched = () => page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name.split("/").pop()));
  assert.ok(!(await fetched()).includes("ecsroles_wasm_full_bg.wasm"), "the audit's module only when asked");
  // The fixture is get-account-authorization-details as AWS returns it (URL-encoded documents).
  const gaad = await readFile(new URL("../../tests/audit/web-api-authorization-details.json", import.meta.url), "utf8");
  await calc(page).locator("#audit-panel > summary").click();
  await calc(page).locator("#roles").fill(gaad);
  const role = (name) => calc(page).locator(`.audit-role[data-role="${name}"]`);
  await role("web-api-execution").waitFor();
  assert.equal(await role("web-api-execution").getAttribute("data-state"), "missing");
  const exec = await role("web-api-execution").locator('[data-finding="missing"]').allTextContents();
  assert.equal(exec.length, 1, exec.join("\n"));
  assert.match(exec[0], /secretsmanager:\s*GetSecretValue on arn:\s*aws:\s*secretsmanager:.*prod\/\s*web-api\/\s*db-AbCdEf/);
  // What ECS prints (as in the real messages), with this role and secret.
  assert.match(exec[0], /fails as: ResourceInitializationError: unable to pull secrets or registry auth: .*assumed-role\/\s*web-api-execution\/.*with an explicit deny/);
  // AWS's managed policy reaches beyond the workload.
  const broader = await role("web-api-execution").locator('[data-finding="broader"]').allTextContents();
  assert.ok(broader.some((t) => /ecr:\s*BatchGetImage/.test(t) && /AmazonECSTaskExecutionRolePolicy/.test(t)), broader.join("\n"));
  // The rest of the fix, from the core: the managed policy to detach, the Deny that blocks.
  assert.match(await role("web-api-execution").locator('[data-fix="commands"]').textContent(), /aws iam detach-role-policy --role-name 'web-api-execution' --policy-arn '.*AmazonECSTaskExecutionRolePolicy'/);
  assert.match((await role("web-api-execution").locator('[data-finding="blocked"]').allTextContents()).join("\n"), /secretsmanager:GetSecretValue .* is refused by a Deny in policy secrets/);
  const task = role("web-api-task");
  assert.match(await task.locator('[data-fix="commands"]').textContent(), /aws iam update-assume-role-policy --role-name 'web-api-task' --policy-document '.*ecs-tasks\.amazonaws\.com/);
  assert.equal(await task.locator('[data-finding="missing"]').count(), 3);
  assert.match((await task.locator('[data-finding="trust"]').allTextContents()).join("\n"), /does not trust ecs-tasks\.amazonaws\.com/);
  assert.equal(await task.locator('[data-finding="unassumable"]').count(), 1);
  // The fix is this plan's policy, copied as IAM takes it.
  const copy = role("web-api-execution").locator('[data-copy^="policy:"]');
  await copy.click();
  await copy.filter({ hasText: "Copied" }).waitFor();
  const fix = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.ok(fix.Statement.some((st) => [st.Action].flat().includes("secretsmanager:GetSecretValue")), JSON.stringify(fix));
  await page.screenshot({ path: SHOTS + "audit.png" });
  // `--filter Role` output (no managed policy documents): judged from the core's snapshot, said.
  const rolesOnly = { ...JSON.parse(gaad), Policies: [] };
  await calc(page).locator("#roles").fill(JSON.stringify(rolesOnly));
  await role("web-api-execution").locator('[data-finding="snapshot"]').waitFor();
  assert.match(await role("web-api-execution").locator('[data-finding="snapshot"]').textContent(), /AmazonECSTaskExecutionRolePolicy v1/);
  assert.equal(await role("web-api-execution").locator('[data-finding="unread"]').count(), 0);
  const broaderAgain = await role("web-api-execution").locator('[data-finding="broader"]').allTextContents();
  assert.deepEqual(broaderAgain, broader, "the same findings as with the document");
  // One role's policy pasted alone: taken for the role picked, its trust not judged.
  const app = JSON.parse(gaad).RoleDetailList.find((r) => r.RoleName === "web-api-task").RolePolicyList[0].PolicyDocument;
  await calc(page).locator("#roles").fill(decodeURIComponent(app));
  await calc(page).locator("#audit-role-label:not([hidden])").waitFor();
  await calc(page).locator("#audit-role").selectOption("web-api-task");
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.querySelector('.audit-role[data-role="web-api-task"]')?.dataset.state === "missing");
  assert.equal(await task.locator('[data-finding="missing"]').count(), 3);
  assert.equal(await task.locator('[data-finding="trust"]').count(), 0);
  assert.match(await calc(page).locator("#audit-out").textContent(), /trust policy is not judged/);
  assert.equal(await role("web-api-execution").getAttribute("data-state"), "notFound");
  assert.match(await role("web-api-execution").textContent(), /Not pasted/);
  assert.match((await task.locator('[data-finding="missing"]').allTextContents()).join("\n"), /^not in this policy sqs:/m);
  // Another role's get-role-policy output: said, not judged as this workload's.
  await calc(page).locator("#roles").fill(JSON.stringify({ RoleName: "someone-else", PolicyName: "p", PolicyDocument: decodeURIComponent(app) }));
  await calc(page).locator("#roles-error").filter({ hasText: "policy of role someone-else" }).waitFor();
  // Not a policy: said where it was pasted.
  await calc(page).locator("#roles").fill('{"Version": "2012-10-17"}');
  await calc(page).locator("#roles-error").filter({ hasText: "no Statement" }).waitFor();
  assert.equal(await calc(page).locator(".audit-role").count(), 0);
  // The workload unreadable: no audit of the earlier one meanwhile.
  await calc(page).locator("#roles").fill(gaad);
  await role("web-api-execution").waitFor();
  await calc(page).locator("#doc").fill('{ "family": "x", oops }');
  await calc(page).locator("#audit-waits").waitFor();
  assert.equal(await calc(page).locator(".audit-role").count(), 0);
  assert.deepEqual(errors, []);
});

test("the explain box explains a real stopped reason, with what this workload's plan says; a network timeout is not IAM", async () => {
  const { page, errors } = await open(); // the fargate-web-api example
  await calc(page).locator("#explain-panel > summary").click();
  // Verbatim from https://junhyunny.github.io/aws/connect-aws-ecs-and-rds/ (tests/explain/messages.yaml).
  const denied = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:ap-northeast-2:1234567890:secret:rds!cluster-12345667890-abcd-erfg-hijk-lmnopqrstu-VWXYZ from secrets manager: AccessDeniedException: User: arn:aws:sts::1234567890:assumed-role/ecsTaskExecutionRole/365abd05e5e64b4db9025dbeee553342 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:ap-northeast-2:1234567890:secret:rds!cluster-12345667890-abcd-erfg-hijk-lmnopqrstu-VWXYZ because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 9ce8d0e9-9057-4743-a3f2-afdc519fcebe";
  await calc(page).locator("#error-text").fill(denied);
  const card = calc(page).locator("#explanation");
  await card.filter({ hasText: "What happened" }).waitFor();
  assert.equal(await card.getAttribute("data-shape"), "secrets-manager-denied");
  const text = await card.textContent();
  assert.match(text, /Role: Task execution role/);
  assert.match(text, /Action: secretsmanager:\s*GetSecretValue/);
  // The workload's plan reads its own secret, not this one: the user is told the difference.
  assert.match(await card.locator("[data-plan-verdict]").textContent(), /only on what the workload names, and not on arn:aws:secretsmanager:ap-northeast-2/);
  await page.screenshot({ path: SHOTS + "explain.png" });
  // Verbatim from https://github.com/Releem/releem-agent/issues/195.
  await calc(page).locator("#error-text").fill("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-west-2:*:secret:DBPasswordSecret-* from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.");
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("explanation")?.dataset.shape === "network-timeout");
  assert.match(await card.textContent(), /Not an IAM problem/);
  await calc(page).locator("#error-text").fill("my task is sad");
  await card.filter({ hasText: "Not an error ecsroles recognises" }).waitFor();
  assert.deepEqual(errors, []);
});

test("a missing or CSP-blocked WebAssembly module, or missing form data, is shown with the fix, not 'Loading…' forever", async () => {
  for (const how of ["404", "csp", "form"]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (how === "404") {
      await page.route("**/ecsroles_wasm_bg.wasm", (r) => r.fulfill({ status: 404, body: "not found" }));
    } else if (how === "form") {
      await page.route("**/form.json", (r) => r.fulfill({ status: 404, body: "not found" }));
    } else {
      // The page forbids compiling WebAssembly (no 'wasm-unsafe-eval' in script-src).
      await page.route("**/index.html", async (r) => {
        const res = await r.fetch();
        r.fulfill({ response: res, headers: { ...res.headers(), "content-security-policy": "script-src 'self'" } });
      });
    }
    await page.goto(base + "/index.html");
    await calc(page).locator("#load-error").waitFor();
    const text = await calc(page).locator("#load-error").textContent();
    assert.match(text, how === "form" ? /form\.json: HTTP 404|form\.json.*HTTP 404/ : /ecsroles_wasm_bg\.wasm/, how);
    assert.match(text, /wasm-unsafe-eval/, how);
    await context.close();
  }
});

test("the custom element works inside a plain third-party page", async () => {
  const { page, errors } = await open("/embed-example.html");
  assert.equal(await calc(page).getAttribute("theme"), "dark");
  const ci = calc(page).locator('article[data-kind="containerInstance"]');
  assert.match(await ci.textContent(), /ssm\.amazonaws\.com/);
  assert.equal(await calc(page).locator(".bar").isVisible(), false, "compact mode hides the inputs");
  await page.screenshot({ path: SHOTS + "embed.png", fullPage: true });
  assert.deepEqual(errors, []);
});

test("axe-core finds no accessibility violations of any impact, light and dark", async () => {
  for (const theme of ["light", "dark"]) {
    const { page, context } = await open();
    if (theme === "dark") await page.evaluate(() => document.querySelector("ecs-role-calculator").setAttribute("theme", "dark"));
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    for (const mode of ["paste", "form"]) {
      if (mode === "form") await calc(page).locator("#mode-form").click();
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      assert.deepEqual(result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`), [], `${theme} ${mode}`);
    }
    await context.close();
  }
});

test("without a theme attribute the element follows the system colour scheme", async () => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await page.goto(base + "/index.html");
  await page.locator("ecs-role-calculator .card").first().waitFor();
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector("ecs-role-calculator")).backgroundColor);
  assert.equal(bg, "rgb(13, 17, 23)");
  await context.close();
});

test("the server sends the WebAssembly compressed (brotli or gzip, as the browser asks)", async () => {
  for (const [ask, want] of [["br", "br"], ["gzip, deflate", "gzip"], ["identity", undefined]]) {
    const res = await fetch(`${base}/pkg/ecsroles_wasm_bg.wasm`, { headers: { "accept-encoding": ask } });
    assert.equal(res.headers.get("content-encoding") ?? undefined, want, ask);
    assert.equal(res.headers.get("content-type"), "application/wasm");
    await res.arrayBuffer();
  }
});

test("once loaded it works offline and makes no requests", async () => {
  const { page, errors, context } = await open();
  // Loaded means: the page, and the full module once a deployment format has been opened.
  await calc(page).locator('[data-format="terraform"]').click();
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("output").getAttribute("aria-busy") === "false");
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await context.setOffline(true);
  await calc(page).locator("#mode-form").click();
  await calc(page).locator("#f-name").fill("offline-app");
  await page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("plan-summary").textContent.includes("offline-app"));
  for (const name of ["terraform", "ack"]) {
    await calc(page).locator(`[data-format="${name}"]`).click();
    await calc(page).locator(`[data-format="${name}"][aria-selected="true"]`).waitFor();
  }
  assert.match(await calc(page).locator("#output").textContent(), /offline-app/);
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
});

test("a guardrails attribute shows the platform's verdict; only then is the evaluator fetched", async () => {
  const { page, errors } = await open();
  const fetched = () => page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name.split("/").pop()));
  assert.ok((await fetched()).includes("ecsroles_wasm_bg.wasm"));
  assert.ok(!(await fetched()).some((n) => n.includes("_full")), "the plain calculator must not fetch the full module");
  assert.equal(await calc(page).locator("#verdict").count(), 0);
  const waitVerdict = (v) => page.waitForFunction((v) => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("verdict")?.dataset.verdict === v, v);

  // The core's default policy ({}): an obfuscated IAM grant is refused, rule and path named.
  const doc = JSON.parse(await readFile(EXAMPLES + "describe-task-definition.json", "utf8"));
  // Roles the plan creates (the ones a task definition names exist already and carry no boundary).
  delete doc.taskDefinition.executionRoleArn;
  delete doc.taskDefinition.taskRoleArn;
  const spec = { region: "us-east-1", launchType: "FARGATE", taskDefinition: doc.taskDefinition, app: { statements: [{ Effect: "Allow", Action: "i*:Pass*", Resource: "*" }] } };
  await page.evaluate(() => document.querySelector("ecs-role-calculator").setAttribute("guardrails", "{}"));
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("refused");
  const refused = await calc(page).locator("#verdict").textContent();
  assert.match(refused, /deniedActions/);
  assert.match(refused, /app\.statements\[0\]/);
  assert.ok((await fetched()).includes("ecsroles_wasm_full_bg.wasm"));
  await page.screenshot({ path: SHOTS + "guardrails-refused.png", fullPage: true });

  // A policy with a mandatory boundary: allowed, and every output carries the injected boundary.
  const boundary = "arn:aws:iam::123456789012:policy/platform-boundary";
  await page.evaluate((p) => document.querySelector("ecs-role-calculator").setAttribute("guardrails", p), JSON.stringify({ permissionsBoundary: boundary }));
  spec.app.statements = [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::assets/*" }];
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("allowed");
  await calc(page).locator('[data-format="terraform"]').click();
  await calc(page).locator('[data-format="terraform"][aria-selected="true"]').waitFor();
  assert.match(await calc(page).locator("#output").textContent(), new RegExp(`permissions_boundary\\s*=\\s*"${boundary}"`));

  // Per-namespace overrides apply when the page names the namespace.
  spec.app.statements = [{ Effect: "Allow", Action: "s3:*", Resource: "*" }];
  const policy = { deniedActions: ["s3:*"], namespaces: { data: { deniedActions: [] } } };
  await page.evaluate((p) => document.querySelector("ecs-role-calculator").setAttribute("guardrails", p), JSON.stringify(policy));
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("refused");
  await page.evaluate(() => document.querySelector("ecs-role-calculator").setAttribute("namespace", "data"));
  await waitVerdict("allowed");
  assert.match(await calc(page).locator("#verdict").textContent(), /namespace data/);

  // The shipped platform page: allowed, boundary injected into what it renders.
  const platform = await open("/platform-example.html");
  await platform.page.waitForFunction(() => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("verdict")?.dataset.verdict === "allowed");
  assert.match(await calc(platform.page).locator("#verdict").textContent(), /namespace team-a/);
  await calc(platform.page).locator('[data-format="iam"]').click();
  await calc(platform.page).locator('[data-format="iam"][aria-selected="true"]').waitFor();
  assert.match(await calc(platform.page).locator("#output").textContent(), /policy\/ecs-workload-boundary/);
  await platform.page.screenshot({ path: SHOTS + "guardrails-platform.png", fullPage: true });
  assert.deepEqual(platform.errors, []);

  // A broken policy is reported as such, naming the field.
  await page.evaluate(() => document.querySelector("ecs-role-calculator").setAttribute("guardrails", '{"deniedActons": []}'));
  await waitVerdict("invalid");
  assert.match(await calc(page).locator("#verdict").textContent(), /deniedActons/);
  assert.deepEqual(errors, []);
});

test("with resource-name and platform the verdict is the controller's admission: its names, path and account", async () => {
  const { page, errors } = await open();
  const waitVerdict = (v) => page.waitForFunction((v) => document.querySelector("ecs-role-calculator").shadowRoot.getElementById("verdict")?.dataset.verdict === v, v);
  await page.evaluate(() => {
    const el = document.querySelector("ecs-role-calculator");
    el.setAttribute("namespace", "payments");
    el.setAttribute("resource-name", "api");
    el.setAttribute("platform", JSON.stringify({ accountId: "111122223333", namePrefix: "k8s-" }));
    el.setAttribute("guardrails", "{}");
  });
  const spec = { region: "us-east-1", launchType: "FARGATE", taskDefinition: { family: "api", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"],
    containerDefinitions: [{ name: "app", image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1" }] } };
  // Admitted: the roles carry the names and path the controller would create.
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("allowed");
  assert.ok((await roleNames(page)).includes("k8s-payments_api-execution"), (await roleNames(page)).join(", "));
  // The audit judges the roles under those names (the platform's plan, not the plain one).
  await calc(page).locator("#audit-panel > summary").click();
  await calc(page).locator("#roles").fill(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }] }));
  const audited = calc(page).locator('.audit-role[data-role="k8s-payments_api-execution"]');
  await audited.waitFor();
  assert.equal(await audited.getAttribute("data-state"), "missing");
  assert.match((await audited.locator('[data-finding="missing"]').allTextContents()).join("\n"), /ecr:\s*BatchGetImage/);
  assert.ok((await calc(page).locator("#audit-role option").allTextContents()).every((n) => n.startsWith("k8s-payments_api")));
  await calc(page).locator("#audit-panel > summary").click();
  // A name the tenant may not choose: refused with the controller's own reason and message.
  spec.roles = { taskExecution: { name: "admin" } };
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("refused");
  const refused = await calc(page).locator("#verdict").textContent();
  assert.match(refused, /PolicyViolation/);
  assert.match(refused, /spec\.roles\.taskExecution\.name: the controller names roles itself/);
  // Another account than the controller's: refused too.
  delete spec.roles;
  spec.account = "999999999999";
  await calc(page).locator("#doc").fill(JSON.stringify(spec));
  await waitVerdict("refused");
  assert.match(await calc(page).locator("#verdict").textContent(), /this controller manages account 111122223333/);
  // A platform attribute that is not JSON is said to be so.
  await page.evaluate(() => document.querySelector("ecs-role-calculator").setAttribute("platform", "{accountId"));
  await waitVerdict("invalid");
  assert.match(await calc(page).locator("#verdict").textContent(), /platform attribute is not JSON/);
  assert.deepEqual(errors, []);
});

test("the npm package ships the element, its wasm and nothing else", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: new URL("..", import.meta.url).pathname, encoding: "utf8" });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  for (const f of ["dist/ecs-role-calculator.js", "dist/diagram.js", "dist/json-locate.js", "dist/examples.json", "dist/form.json", "dist/pkg/ecsroles_wasm.js", "dist/pkg/ecsroles_wasm_bg.wasm",
    "dist/pkg/ecsroles_wasm_full.js", "dist/pkg/ecsroles_wasm_full_bg.wasm", "package.json"]) {
    assert.ok(files.includes(f), `${f} missing from the package: ${files.join(", ")}`);
  }
  assert.ok(files.every((f) => f === "package.json" || f.startsWith("dist/") || f === "README.md"), files.join(", "));
});
