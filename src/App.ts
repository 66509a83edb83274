/**
 * Composition of the whole service from its Layers. `main.ts` uses it with the real environment;
 * tests use it with a temp config file, a fake engine or license, and port 0 on loopback.
 *
 * Order matters for shutdown: the server Layer is built last and released first, so it stops
 * accepting and drains in-flight requests while the engine pool and license client still exist.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Either, Layer, Option, type Redacted } from "effect"
import type { CaptureEngine } from "./domain/CaptureEngine.js"
import type { FaceAnalyzer } from "./domain/FaceAnalyzer.js"
import type { Forensics } from "./domain/Forensics.js"
import type { LicenseGate } from "./domain/LicenseGate.js"
import { type ReplayPolicy, replayPolicyFromEnv, ReplaySettings } from "./domain/ReplayPolicy.js"
import type { ServiceConfig } from "./domain/ServiceConfig.js"
import { ADMIN_TOKEN_VARIABLE, AdminToken, adminTokenFromEnv } from "./http/AdminAuth.js"
import { ensureAdminTokenFile } from "./infra/AdminTokenFile.js"
import { serverLayer } from "./http/Server.js"
import { ConfigStore, configStoreLayer, loadConfig, type LoadedConfig } from "./infra/ConfigStore.js"
import { capacityLayerFor, pipelineLayersFor } from "./infra/EngineSelection.js"
import { jsonLoggerLayer, LogLevelSetting } from "./infra/JsonLogger.js"
import { licenseLayer } from "./infra/license/LicenseLayer.js"
import { sessionSignerLayer } from "./infra/sessions/HmacSessionSigner.js"
import { replayStoreLayer, replayStoreSettingsFromEnv, type ReplayStoreSettings } from "./infra/replay/ReplayStoreSettings.js"

export type Env = Readonly<Record<string, string | undefined>>

export class StartupError extends Error {
  override readonly name = "StartupError"
}

export interface Startup {
  readonly loaded: LoadedConfig
  readonly replay: ReplayPolicy
  readonly replayStore: ReplayStoreSettings
  readonly adminToken: Option.Option<Redacted.Redacted<string>>
}

/** Everything read from the environment and config.json before any Layer is built. */
export const readStartup = (env: Env): Either.Either<Startup, StartupError> =>
  Either.gen(function*() {
    const loaded = yield* Either.mapLeft(loadConfig(env), (error) => new StartupError(error.message))
    const replay = yield* Either.mapLeft(replayPolicyFromEnv(env), (message) => new StartupError(message))
    const replayStore = yield* Either.mapLeft(replayStoreSettingsFromEnv(env), (message) => new StartupError(message))
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
  readonly engine?: Layer.Layer<CaptureEngine, Error>
  readonly forensics?: Layer.Layer<Forensics, Error>
  readonly faces?: Layer.Layer<FaceAnalyzer, Error>
  readonly license?: Layer.Layer<LicenseGate, Error>
}

export const serviceLayer = (startup: Startup, env: Env, overrides: ServiceLayers = {}) => {
  const config: ServiceConfig = startup.loaded.config
  const logLevel = LogLevelSetting.of(config.log.log_level)
  const settings = Layer.mergeAll(
    configStoreLayer(startup.loaded, env, (applied) => logLevel.set(applied.log.log_level)),
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
        capacityLayerFor(config)
      )
    })
  ).pipe(Layer.provide(settings))
  const resources = Layer.mergeAll(pipeline, overrides.license ?? licenseLayer(config), settings)
  return serverLayer(config).pipe(
    Layer.provide(resources),
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
    Layer.provide(jsonLoggerLayer(config.log, logLevel))
  )
}
