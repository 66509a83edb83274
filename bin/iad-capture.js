#!/usr/bin/env node
// The reference capture SDK's CLI, as compiled by `npm ci` (the `prepare` step) into dist/.
import { existsSync } from "node:fs"

const entry = new URL("../dist/cli/iad-capture.js", import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write("iad-capture: dist/ is missing: run `npm ci` (or `npm run build` after changing src/)\n")
  process.exit(1)
}
await import(entry.href)
