// A build step between wasm-bindgen and wasm-opt (web/scripts/build.sh): drops Rust's
// floating-point formatter from the calculator's module.
//
// Why: the module never prints a float itself, yet carried the formatter (core::fmt::float and
// its Grisu/Dragon code: ~19 KB raw, ~7.7 KB of the gzipped download, measured 2026-12-02).
// serde's fallback message for a float of the wrong type (`Unexpected::Float`, through
// `WithDecimalPoint`) takes the address of `<f64 as Display>::fmt`, so the linker keeps it in
// the function table, and wasm-opt cannot drop what the table holds. That fallback is not
// reached here: every deserializer error is serde_json's, which prints floats with its own
// code first (`JsonUnexpected`: "invalid type: floating point `1.5`, expected a string" — the
// browser test `a float where a string belongs…` checks that message). This step gives
// `<f64 as Display>::fmt` a body that writes nothing and returns Ok, and wasm-opt then removes
// the formatter. Were the fallback ever reached, a float would print as nothing in that one
// message; nothing else changes.
//
// Fails unless exactly one such function is found, so a toolchain that renames or splits it is
// noticed (the module would be ~7.7 KB larger), never silently shipped.
//
// Usage: node web/scripts/no-float-format.mjs <module.wasm> (rewritten in place; it must still
// have its name section: wasm-opt --strip-debug removes it afterwards).
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const path = process.argv[2];
const module = binaryen.readBinary(readFileSync(path));
// Exactly the features rustc emits for wasm32-unknown-unknown (as build.sh's wasm-opt flags):
// with more enabled, binaryen writes encodings browsers refuse.
const F = binaryen.Features;
module.setFeatures(F.BulkMemory | F.SignExt | F.NontrappingFPToInt | F.MutableGlobals | F.ReferenceTypes | F.Multivalue);
// Each: the function's demangled name, and why nothing in this module reaches it.
const UNREACHED = [
  // Above: serde's float fallback message; serde_json prints floats itself.
  [/^<f64 as core(\[[0-9a-f]+\])?::fmt::Display>::fmt$/, "<f64 as Display>::fmt"],
  // (serde_json's io::Error, whose Display brought every io::ErrorKind's text, is not stubbed
  // here: the core builds serde_json without `std` for the WebAssembly, so it has no io
  // variant at all. See crates/core/Cargo.toml.)
];
for (const [pattern, label] of UNREACHED) {
  const found = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (pattern.test(info.name) && info.body) found.push(info);
  }
  if (found.length !== 1) {
    console.error(`no-float-format: expected one ${label} in ${path}, found ${found.length} (was the name section stripped?)`);
    process.exit(1);
  }
  const [f] = found;
  // fn fmt(&self, f: &mut Formatter) -> fmt::Result: (i32, i32) -> i32, 0 being Ok(()).
  if (binaryen.expandType(f.params).length !== 2 || binaryen.expandType(f.results).join() !== String(binaryen.i32)) {
    console.error(`no-float-format: ${f.name} does not have the signature fmt(&T, &mut Formatter) -> fmt::Result`);
    process.exit(1);
  }
  module.removeFunction(f.name);
  module.addFunction(f.name, f.params, f.results, [], module.i32.const(0));
}
writeFileSync(path, module.emitBinary());
