/**
 * Entry point (through bin/iad-service.cjs): read the environment and config.json, launch the service.
 * SIGTERM/SIGINT interrupt the main fiber; Layers are released in reverse order (server drains
 * first, then engines and license).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Either, Layer } from "effect"
import { readStartup, serviceLayer } from "./App.js"

const startup = readStartup(process.env)
if (Either.isLeft(startup)) {
  process.stderr.write(`iad-service: cannot start: ${startup.left.message}\n`)
  process.exit(1)
}

// `number_of_threads` sizes libuv's worker pool (native engine and sharp work). It must be set
// before the pool's first use, which is before any ES module runs: bin/iad-service.cjs (what
// `npm start` runs) sets UV_THREADPOOL_SIZE from it. Started some other way, the pool has libuv's
// default of 4 threads unless UV_THREADPOOL_SIZE is set.
/**
 * One readable line for a startup failure (a busy port, unreadable keys, missing models...). Tagged
 * errors have an empty `message`; their `detail` (e.g. which model file is wrong) is what to print.
 */
const describeStartupFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const detail = "detail" in error && typeof error.detail === "string" ? `${error.name}: ${error.detail}` : ""
  const cause = error.cause instanceof Error ? error.cause.message : ""
  return [error.message, detail, cause].filter((part) => part !== "").join(": ") || error.name
}

const main = Layer.launch(serviceLayer(startup.right, process.env)).pipe(
  Effect.catchAll((error) =>
    Effect.logError(`cannot start: ${describeStartupFailure(error)}`).pipe(
      Effect.zipRight(Effect.sync(() => {
        process.exitCode = 1
      }))
    )
  )
)

NodeRuntime.runMain(main, { disablePrettyLogger: true })
