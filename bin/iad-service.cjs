#!/usr/bin/env node
// Starts the service (the JavaScript that `npm ci` compiles into dist/). CommonJS on purpose: libuv sizes its worker pool (which runs the native
// engine's and sharp's work off the main thread) from UV_THREADPOOL_SIZE on its first use, and
// loading an ES module already uses it. A CommonJS entry reads files synchronously, so the size
// from `number_of_threads` can still be set here, before anything else loads.
"use strict"
const fs = require("node:fs")
const os = require("node:os")

/** number_of_threads as the service will resolve it (FACEPHI_IAD_* > config.json > 0 = one per CPU). */
const configuredThreads = () => {
  const fromEnv = process.env.FACEPHI_IAD_NUMBER_OF_THREADS
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv.trim())) return Number(fromEnv)
  try {
    const file = (process.env.FACEPHI_IAD_CONFIG || "").trim() || "config/config.json"
    const value = JSON.parse(fs.readFileSync(file, "utf8")).number_of_threads
    if (Number.isSafeInteger(value) && value >= 0) return value
  } catch {
    // Missing or invalid file: the service itself reports what is wrong with it.
  }
  return 0
}

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  const threads = configuredThreads()
  process.env.UV_THREADPOOL_SIZE = String(threads === 0 ? os.availableParallelism() : threads)
}

// V8's heap sizing, before any isolate allocates much (bin/v8-heap-tuning.cjs says why).
require("./v8-heap-tuning.cjs").tuneHeaps()

// From here on ES modules may load (the pool size is fixed). The service runs as JavaScript compiled
// by `npm ci` (the `prepare` step: tsc -p tsconfig.build.json into dist/); tsx is for scripts and tests.
const path = require("node:path")
const entry = path.join(__dirname, "..", "dist", "main.js")
if (!fs.existsSync(entry)) {
  process.stderr.write(`iad-service: cannot start: ${entry} is missing: run \`npm ci\` (or \`npm run build\` after changing src/)\n`)
  process.exit(1)
}
import(require("node:url").pathToFileURL(entry).href).catch((error) => {
  process.stderr.write(`iad-service: cannot start: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
