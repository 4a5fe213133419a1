import { chromium } from "playwright-core";
import { serve } from "../scripts/serve.mjs";
const server = await serve(new URL("../dist/", import.meta.url).pathname);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
await page.goto(base + "/index.html");
await page.waitForSelector("ecs-role-calculator >> .card");
const r = await page.evaluate(async () => {
  const mod = await import("./pkg/ecsroles_wasm.js");
  const td = (t) => JSON.stringify({ family: "app", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions: Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/app/c${i}:${t}`, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/app" } } })) });
  const time = (f) => { const t0 = performance.now(); for (let i = 0; i < 300; i++) f(i); return ((performance.now() - t0) / 300).toFixed(3); };
  return { validate: time((i) => mod.validate(td(i), {})), planOnly: time((i) => JSON.parse(mod.planOnly(td(i), {}))), summary: time((i) => JSON.parse(mod.planDocument(td(i), {}, ["summary"]))), tf: time((i) => JSON.parse(mod.planDocument(td(i), {}, ["terraform"]))) };
});
console.log(r);
await browser.close(); server.close();
