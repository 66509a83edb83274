/**
 * Entry point (through bin/iad-service.cjs): read the environment and config.json, launch the service.
 * SIGTERM/SIGINT interrupt the main fiber; Layers are released in reverse order (server drains
 * first, then engines and license).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Match from "effect/Match"
import { readStartup, serviceLayer, type StartupFailure } from "./App.js"

const startup = readStartup(process.env)
if (Either.isLeft(startup)) {
  process.stderr.write(`iad-service: cannot start: ${startup.left.message}\n`)
  process.exit(1)
}

// `number_of_threads` sizes libuv's worker pool (native engine and sharp work). It must be set
// before the pool's first use, which is before any ES module runs: bin/iad-service.cjs (what
// `npm start` runs) sets UV_THREADPOOL_SIZE from it. Started some other way, the pool has libuv's
// default of 4 threads unless UV_THREADPOOL_SIZE is set.
/** One readable line for every way start-up can fail (the match is exhaustive: a new Layer error must be worded). */
const startupMessage = (failure: StartupFailure): string =>
  Match.value(failure).pipe(
    Match.tagsExhaustive({
      StartupError: (error) => error.message,
      NativeEngineStartupError: (error) => `native engine: ${error.message}`,
      FaceAnalysisError: (error) => `face models: ${error.detail}`,
      LicenseStartupError: (error) => `license: ${error.message}`,
      AdminTokenFileError: (error) => `admin token: ${error.message}`,
      SessionSecretFileError: (error) => `session secret: ${error.message}`,
      TlsFilesError: (error) => `tls: ${error.message}`,
      MetricsListenFailed: (error) => `metrics listener on ${error.address}:${error.port}: ${error.detail}`,
      ServeError: (error) =>
        `cannot listen on ${startup.right.loaded.config.address}:${startup.right.loaded.config.port}: ${
          error.cause instanceof Error ? error.cause.message : String(error.cause)
        }`
    })
  )

const main = Layer.launch(serviceLayer(startup.right, process.env)).pipe(
  Effect.catchAll((failure) =>
    Effect.logError(`cannot start: ${startupMessage(failure)}`).pipe(
      Effect.zipRight(Effect.sync(() => {
        process.exitCode = 1
      }))
    )
  )
)

NodeRuntime.runMain(main, { disablePrettyLogger: true })
