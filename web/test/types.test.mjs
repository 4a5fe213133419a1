// The module's generated TypeScript types (crates/wasm/build.rs → the `.d.ts` wasm-bindgen
// writes): a typed consumer (types/consumer.ts) must compile under `tsc --strict` — so every
// call and field it uses is declared, and the types are not `any` — and then run against the
// real module with the answers a page expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile, cp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const WEB = new URL("../", import.meta.url).pathname;
const TSC = require.resolve("typescript/bin/tsc");

test("the generated .d.ts types a real consumer, which then runs against the module", async (t) => {
  const dts = await readFile(join(WEB, "dist/pkg/ecsroles_wasm_full.d.ts"), "utf8");
  // Generated from the core's plan model, not hand-written: every role kind of the registry.
  assert.match(dts, /export type RoleKind = "taskExecution" \| "task" \|/);
  assert.match(dts, /export function planDocument\(text: string, overrides: Overrides \| undefined, formats: string\[\]\): JsonOf<PlanOutput>;/);

  // Compiled beside itself in a copy of the tree (it imports ../../dist/pkg/…).
  const dir = await mkdtemp(join(tmpdir(), "ecsroles-types-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(WEB, "dist/pkg"), join(dir, "dist/pkg"), { recursive: true });
  await cp(join(WEB, "test/types/consumer.ts"), join(dir, "test/types/consumer.ts"));
  await writeFile(join(dir, "package.json"), '{"type": "module"}');
  try {
    execFileSync(process.execPath, [TSC, "--strict", "--target", "es2022", "--module", "es2022",
      "--moduleResolution", "bundler", "--lib", "es2022,dom", "--skipLibCheck", "false",
      "--outDir", join(dir, "test/types"), join(dir, "test/types/consumer.ts")], { stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }

  // The compiled consumer, on the real module.
  const { run } = await import(join(dir, "test/types/consumer.js"));
  const wasm = await readFile(join(WEB, "dist/pkg/ecsroles_wasm_full_bg.wasm"));
  const td = await readFile(new URL("../../examples/describe-task-definition.json", import.meta.url), "utf8");
  const seen = await run(wasm, td);
  assert.ok(seen.some((l) => /^taskExecution create ecs-tasks\.amazonaws\.com [1-9]/.test(l)), seen.join("\n"));
  assert.ok(seen.includes("region eu-west-1"), seen.join("\n"));
  assert.ok(seen.includes("renders iam"), seen.join("\n"));
  assert.ok(seen.some((l) => /^violations .*deniedActions/.test(l)), seen.join("\n"));
  assert.ok(seen.includes("shareable string"), seen.join("\n"));
  assert.ok(seen.some((l) => /^error at line \d+: true$/.test(l)), seen.join("\n"));
});
