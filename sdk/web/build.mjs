// Bundles the browser SDK into one minified ES module: sdk/web/dist/iad-capture.js (gitignored),
// built by `npm ci` (the root package's `prepare` script) and served by the service.
// Usage: node sdk/web/build.mjs [OUTFILE]; prints the size and the gzipped size.
import { build } from "esbuild"
import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const here = dirname(fileURLToPath(import.meta.url))
export const defaultOutfile = join(here, "dist", "iad-capture.js")

/** Builds the bundle; answers its size and its gzipped size in bytes. */
export const buildSdk = async (outfile = defaultOutfile) => {
  await build({
    entryPoints: [join(here, "src", "index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    // Browsers with getUserMedia, WebCrypto, requestVideoFrameCallback or its fallback.
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    logLevel: "warning"
  })
  const bytes = await readFile(outfile)
  return { outfile, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outfile, bytes, gzipBytes } = await buildSdk(process.argv[2])
  console.log(`sdk: ${outfile} ${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`)
}
