/**
 * Entry point: read the environment and config.json, size the worker pool, launch the service.
 * SIGTERM/SIGINT interrupt the main fiber; Layers are released in reverse order (server drains
 * first, then engines and license).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Either, Layer } from "effect"
import * as os from "node:os"
import { readStartup, serviceLayer } from "./App.js"

const startup = readStartup(process.env)
if (Either.isLeft(startup)) {
  process.stderr.write(`iad-service: cannot start: ${startup.left.message}\n`)
  process.exit(1)
}

// libuv's worker pool runs the native engine's off-main-thread work; it is sized once, before
// its first use, from `number_of_threads` (0 = one per CPU core).
const threads = startup.right.loaded.config.number_of_threads
process.env.UV_THREADPOOL_SIZE = String(threads === 0 ? os.availableParallelism() : threads)

/** One readable line for a startup failure (a busy port, unreadable keys, missing models...). */
const describeStartupFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : ""
  return [error.message, cause].filter((part) => part !== "").join(": ") || error.name
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
