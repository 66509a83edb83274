/**
 * Composition of the whole service from its Layers. `main.ts` uses it with the real environment;
 * tests use it with a temp config file, a fake engine or license, and port 0 on loopback.
 *
 * Order matters for shutdown: the server Layer is built last and released first, so it stops
 * accepting and drains in-flight requests while the engine pool and license client still exist.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { CaptureEngine } from "./domain/CaptureEngine.js"
import type { FaceAnalysisError, FaceAnalyzer } from "./domain/FaceAnalyzer.js"
import type { Forensics } from "./domain/Forensics.js"
import type { LicenseGate } from "./domain/LicenseGate.js"
import type { LicenseStartupError } from "./domain/LicenseStartupError.js"
import { type ReplayPolicy, replayPolicyFromEnv, ReplaySettings } from "./domain/ReplayPolicy.js"
import type { ServiceConfig } from "./domain/ServiceConfig.js"
import { ADMIN_TOKEN_VARIABLE, AdminToken, adminTokenFromEnv } from "./http/AdminAuth.js"
import { type AdminTokenFileError, ensureAdminTokenFile } from "./infra/AdminTokenFile.js"
import type { NativeEngineStartupError } from "./infra/native/NativeEngine.js"
import type { MetricsListenFailed } from "./infra/telemetry/MetricsListener.js"
import type { TlsFilesError } from "./http/TlsContext.js"
import { serverLayer } from "./http/Server.js"
import { ConfigStore, configStoreLayer, loadConfig, type LoadedConfig } from "./infra/ConfigStore.js"
import { capacityLayerFor, pipelineLayersFor } from "./infra/EngineSelection.js"
import { jsonLoggerLayer, logLevelFollows, LogLevelSetting } from "./infra/JsonLogger.js"
import { licenseLayer } from "./infra/license/LicenseLayer.js"
import { metricsLayer, tracingLayer } from "./infra/telemetry/Telemetry.js"
import { SERVICE_VERSION } from "./http/ServiceInfo.js"
import { metricsPortProblem } from "./domain/ConfigUpdatePolicy.js"
import { sessionSignerLayer } from "./infra/sessions/HmacSessionSigner.js"
import type { SessionSecretFileError } from "./infra/sessions/SessionSecretFile.js"
import { replayStoreLayer, replayStoreSettingsFromEnv, type ReplayStoreSettings } from "./infra/replay/ReplayStoreSettings.js"

export type Env = Readonly<Record<string, string | undefined>>

/** config.json or an environment variable is not valid: the message names the key or variable. */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

/** Why the service could not start, from every Layer it builds; `main.ts` words each one. */
export type StartupFailure =
  | StartupError
  | NativeEngineStartupError
  | FaceAnalysisError
  | LicenseStartupError
  | AdminTokenFileError
  | TlsFilesError
  | HttpServerError.ServeError
  | MetricsListenFailed
  | SessionSecretFileError

export interface Startup {
  readonly loaded: LoadedConfig
  readonly replay: ReplayPolicy
  readonly replayStore: ReplayStoreSettings
  readonly adminToken: Option.Option<Redacted.Redacted<string>>
}

/** Everything read from the environment and config.json before any Layer is built. */
export const readStartup = (env: Env): Either.Either<Startup, StartupError> =>
  Either.gen(function*() {
    const loaded = yield* Either.mapLeft(loadConfig(env), (error) => new StartupError({ message: error.message }))
    const replay = yield* Either.mapLeft(replayPolicyFromEnv(env), (message) => new StartupError({ message }))
    const replayStore = yield* Either.mapLeft(replayStoreSettingsFromEnv(env), (message) => new StartupError({ message }))
    const metricsPort = metricsPortProblem(loaded.config)
    if (metricsPort !== undefined) return yield* Either.left(new StartupError({ message: metricsPort }))
    return { loaded, replay, replayStore, adminToken: adminTokenFromEnv(env) }
  })

/** The admin token: from the environment, else generated into (or read from) `<keys_dir>/admin.token`. */
const adminTokenLayer = (fromEnv: Option.Option<Redacted.Redacted<string>>, keysDir: string) =>
  Layer.effect(
    AdminToken,
    Option.match(fromEnv, {
      onSome: Effect.succeed,
      onNone: () =>
        ensureAdminTokenFile(keysDir).pipe(
          // The log names the file, never the token.
          Effect.tap(({ created, file }) =>
            Effect.logInfo(created ? "admin token generated" : "admin token read").pipe(
              Effect.annotateLogs({ file, variable: ADMIN_TOKEN_VARIABLE })
            )
          ),
          Effect.map(({ token }) => token),
          Effect.provide(NodeFileSystem.layer)
        )
    })
  )

/** Replacements for single ports (what testers swap); the rest follow `config.engine`. */
export interface ServiceLayers {
  readonly engine?: Layer.Layer<CaptureEngine, NativeEngineStartupError>
  readonly forensics?: Layer.Layer<Forensics, NativeEngineStartupError>
  readonly faces?: Layer.Layer<FaceAnalyzer, FaceAnalysisError>
  readonly license?: Layer.Layer<LicenseGate, LicenseStartupError>
}

export const serviceLayer = (startup: Startup, env: Env, overrides: ServiceLayers = {}) => {
  const config: ServiceConfig = startup.loaded.config
  const logLevel = LogLevelSetting.of(config.log.log_level)
  // The store, and the log level following its changes.
  const configStore = Layer.unwrapEffect(Effect.map(ConfigStore, (store) => logLevelFollows(store.changes, logLevel))).pipe(
    Layer.provideMerge(configStoreLayer(startup.loaded, env))
  )
  const settings = Layer.mergeAll(
    configStore,
    Layer.succeed(ReplaySettings, startup.replay),
    replayStoreLayer(startup.replayStore),
    adminTokenLayer(startup.adminToken, config.keys_dir),
    sessionSignerLayer(config.keys_dir)
  )
  const pipeline = Layer.unwrapEffect(
    Effect.map(ConfigStore, (store) => {
      const chosen = pipelineLayersFor(config, Effect.map(store.current, (current) => current.face))
      return Layer.mergeAll(
        overrides.engine ?? chosen.engine,
        overrides.forensics ?? chosen.forensics,
        overrides.faces ?? chosen.faces,
        capacityLayerFor(config, chosen)
      )
    })
  ).pipe(Layer.provide(settings))
  const resources = Layer.mergeAll(pipeline, overrides.license ?? licenseLayer(config), settings)
  // The metrics listener (when `metrics_port` is set) starts before the public server and stops after it.
  const observed = metricsLayer({ port: config.metrics_port, address: config.metrics_address, serviceVersion: SERVICE_VERSION }).pipe(
    Layer.provideMerge(resources)
  )
  return serverLayer(config).pipe(
    Layer.provide(observed),
    Layer.tap(() =>
      Effect.logInfo("service started").pipe(
        Effect.annotateLogs({
          engine: config.engine,
          enginePoolSize: config.engine_pool_size,
          replayChecker: startup.replay.enabled
            ? `on, ${startup.replay.toleranceSeconds}s, store ${startup.replayStore.kind === "memory" ? "memory" : "redis"}`
            : "off",
          configFile: startup.loaded.path
        })
      )
    ),
    // Outside the server, so that spans of in-flight requests are flushed after it drains.
    Layer.provide(tracingLayer(env, SERVICE_VERSION)),
    Layer.provide(jsonLoggerLayer(config.log, logLevel))
  )
}
