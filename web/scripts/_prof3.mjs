import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
const dist = new URL("../dist/", import.meta.url).pathname;
function tenContainers(tag) {
  const containerDefinitions = Array.from({ length: 10 }, (_, i) => ({
    name: `c${i}`,
    image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/app/c${i}:${tag}`,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": `c${i}` } },
    ...(i < 2 ? { secrets: [{ name: "A", valueFrom: `arn:aws:secretsmanager:us-east-1:111122223333:secret:app/c${i}-AbCdEf` }, { name: "B", valueFrom: `/app/c${i}/b` }] } : {}),
  }));
  return JSON.stringify({ family: "app", executionRoleArn: "arn:aws:iam::111122223333:role/app-exec", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions });
}
const server = await serve(dist);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
await page.goto(base + "/index.html");
await page.waitForSelector("ecs-role-calculator >> .card");
const docs = Array.from({ length: 400 }, (_, i) => tenContainers(`1.0.${i}`));
const r = await page.evaluate(async (docs) => {
  const mod = await import("./pkg/ecsroles_wasm.js");
  const t = (f) => { const t0 = performance.now(); for (const d of docs) f(d); return ((performance.now() - t0) / docs.length).toFixed(3); };
  const out = {};
  for (let round = 0; round < 4; round++) {
    out[`none${round}`] = t((d) => mod.planDocument(d, {}, ["nosuch"]));
    out[`summary${round}`] = t((d) => mod.planDocument(d, {}, ["summary"]));
    out[`iam${round}`] = t((d) => mod.planDocument(d, {}, ["iam"]));
    out[`json${round}`] = t((d) => mod.planDocument(d, {}, ["json"]));
  }
  return out;
}, docs);
console.log(r);
await browser.close(); server.close();
