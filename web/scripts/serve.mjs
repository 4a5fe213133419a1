// A dependency-free static server for web/dist on loopback (the calculator needs HTTP, not
// file://, to fetch its WebAssembly). Usage: node scripts/serve.mjs [port] [dir]
// Compressed as a production host should serve it: brotli or gzip by Accept-Encoding (the
// wasm is ~620 KB raw, ~200 KB gzipped, less with brotli), compressed once per file.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { createHash } from "node:crypto";

const ENCODERS = {
  br: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  gzip: (b) => gzipSync(b, { level: 9 }),
};
const cache = new Map(); // `${encoding} ${sha1 of the file}` → compressed bytes (a rebuilt file is compressed afresh)

/** The body in the best encoding the client accepts (none when it accepts neither). */
function encode(body, accept = "") {
  const encoding = Object.keys(ENCODERS).find((e) => new RegExp(`\\b${e}\\b`).test(accept));
  if (!encoding || body.length < 1024) return { body };
  const key = `${encoding} ${createHash("sha1").update(body).digest("hex")}`;
  if (!cache.has(key)) cache.set(key, ENCODERS[encoding](body));
  return { body: cache.get(key), encoding };
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

export function serve(dir, port = 0, { compress = true } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path.endsWith("/") ? path + "index.html" : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const { body, encoding } = encode(await readFile(file), compress ? req.headers["accept-encoding"] : "");
      const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache", vary: "accept-encoding" };
      if (encoding) headers["content-encoding"] = encoding;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.argv[2] ?? 8080);
  const dir = process.argv[3] ?? new URL("../dist", import.meta.url).pathname;
  const server = await serve(dir, port);
  console.log(`ecsroles calculator: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
}
