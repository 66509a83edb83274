/**
 * The effective configuration at run time, and its persistence.
 *
 * Loaded once at startup (defaults < config.json < FACEPHI_IAD_* environment). `POST /config`
 * merges a partial object over the file as it is on disk at that moment (a hand edit made while
 * the service runs is kept), validates the whole result and what it means (ConfigUpdatePolicy.ts:
 * files it names exist, limits that would lock the operator out), writes the file atomically
 * (temp file + rename) and only then applies it, so a failed update changes nothing. Restart-only
 * keys stay at their running values and are reported as pending until the next start.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { readFromEnv, text } from "../domain/EnvironmentConfig.js"
import { applyNulls, namedFiles, type NamedPath, runningAfter, updateProblems } from "../domain/ConfigUpdatePolicy.js"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  changedKeys,
  environmentOverrides,
  InvalidConfig,
  isJsonObject,
  type JsonObject,
  MAX_CONFIG_DEPTH,
  mergeJson,
  needsRestart,
  nestsDeeperThan,
  resolveConfig,
  restartKeys,
  type ServiceConfig,
  withoutRedactedSecrets
} from "../domain/ServiceConfig.js"

export const CONFIG_PATH_VARIABLE = "FACEPHI_IAD_CONFIG"
export const DEFAULT_CONFIG_PATH = "config/config.json"

export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{ readonly message: string }> {}

export interface ConfigUpdate {
  readonly changed: ReadonlyArray<string>
  /** Changed keys that take effect only after a restart. */
  readonly restartRequired: ReadonlyArray<string>
  /** Changed keys whose FACEPHI_IAD_* variable still wins over the file. */
  readonly overriddenByEnvironment: ReadonlyArray<string>
  readonly config: ServiceConfig
}

/** A restart-only key whose value in the file differs from the one the service runs with. */
export interface PendingChange {
  readonly key: string
  readonly running: unknown
  readonly pending: unknown
}

export interface ConfigStoreShape {
  readonly path: string
  /** The configuration in force (restart-only keys as started). */
  readonly current: Effect.Effect<ServiceConfig>
  /** The configuration in force now, then after every applied update. */
  readonly changes: Stream.Stream<ServiceConfig>
  /** Restart-only changes written to the file and waiting for a restart. */
  readonly pending: Effect.Effect<ReadonlyArray<PendingChange>>
  readonly update: (patch: unknown) => Effect.Effect<ConfigUpdate, InvalidConfig | ConfigFileError>
}

export class ConfigStore extends Context.Tag("iad/ConfigStore")<ConfigStore, ConfigStoreShape>() {}

type Env = Readonly<Record<string, string | undefined>>

/** `FACEPHI_IAD_CONFIG`, or the default path when it is unset or blank. */
export const configPathConfig: Config.Config<string> = text(CONFIG_PATH_VARIABLE).pipe(
  Config.map((path) => path.trim() || DEFAULT_CONFIG_PATH)
)

export const configPathOf = (env: Env): string => Either.getOrElse(readFromEnv(configPathConfig, env), () => DEFAULT_CONFIG_PATH)

/** config.json's text as a JSON object, or why it is not one. */
const parseConfigText = (file: string, text: string): Either.Either<JsonObject, ConfigFileError> => {
  try {
    const parsed: unknown = JSON.parse(text)
    return isJsonObject(parsed)
      ? Either.right(parsed)
      : Either.left(new ConfigFileError({ message: `config file ${file} must hold a JSON object` }))
  } catch (error) {
    return Either.left(new ConfigFileError({ message: `config file ${file} is not valid JSON: ${(error as Error).message}` }))
  }
}

/**
 * Reads config.json once at start-up, before any Layer (and so any FileSystem service) exists:
 * a missing file means "all defaults". Updates read it through the platform FileSystem.
 */
export const readConfigFile = (file: string): Either.Either<JsonObject, ConfigFileError> => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Either.right({})
    return Either.left(new ConfigFileError({ message: `cannot read config file ${file}: ${(error as Error).message}` }))
  }
  return parseConfigText(file, text)
}

const fileError = (what: string) => (error: PlatformError) => new ConfigFileError({ message: `${what}: ${error.message}` })

/** The file as it is on disk now (a missing file: all defaults). */
const readConfigFileNow = (files: FileSystem.FileSystem, file: string): Effect.Effect<JsonObject, ConfigFileError> =>
  files.readFileString(file).pipe(
    Effect.map((text): Option.Option<string> => Option.some(text)),
    Effect.catchIf(
      (error) => error._tag === "SystemError" && error.reason === "NotFound",
      () => Effect.succeed(Option.none<string>())
    ),
    Effect.mapError(fileError(`cannot read config file ${file}`)),
    Effect.flatMap(
      Option.match({ onNone: () => Either.right<JsonObject>({}), onSome: (text) => parseConfigText(file, text) })
    )
  )

/** Writes through a temp file in the same directory and renames it, so readers never see half a file. */
const writeAtomically = (files: FileSystem.FileSystem, file: string, contents: JsonObject): Effect.Effect<void, ConfigFileError> =>
  Effect.gen(function*() {
    yield* files.makeDirectory(path.dirname(file), { recursive: true })
    // Keep the file's mode (an operator may have tightened it); a new file is private.
    const mode = yield* files.stat(file).pipe(
      Effect.map((info) => info.mode & 0o777),
      Effect.orElseSucceed(() => 0o600)
    )
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`
    yield* files.writeFileString(temp, JSON.stringify(contents, null, 2) + "\n", { mode }).pipe(
      Effect.zipRight(files.rename(temp, file)),
      Effect.tapError(() => files.remove(temp).pipe(Effect.ignore))
    )
  }).pipe(Effect.mapError(fileError(`cannot write config file ${file}`)))

export interface LoadedConfig {
  readonly path: string
  readonly file: JsonObject
  readonly config: ServiceConfig
}

/** Startup load: fails with a message naming the file or the bad key. */
export const loadConfig = (env: Env): Either.Either<LoadedConfig, ConfigFileError | InvalidConfig> => {
  const file = configPathOf(env)
  return Either.flatMap(readConfigFile(file), (contents) =>
    Either.map(resolveConfig(contents, env), (config) => ({ path: file, file: contents, config })))
}

/** Why a file the configuration names would stop the next start, or `undefined` when it is readable. */
const unreadable = (files: FileSystem.FileSystem, named: NamedPath): Effect.Effect<string | undefined> =>
  files.stat(named.path).pipe(
    Effect.flatMap((info) =>
      info.type !== "File"
        ? Effect.succeed(`config key "${named.key}": ${named.path} is not a file`)
        : Effect.as(files.access(named.path, { readable: true }), undefined)
    ),
    Effect.catchAll((error) =>
      Effect.succeed(
        `config key "${named.key}": ${named.path} cannot be read (${error._tag === "SystemError" ? error.reason : error.message})`
      )
    )
  )

const valueAtPath = (config: ServiceConfig, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((inner, key) => (isJsonObject(inner) ? inner[key] : undefined), config)

export const makeConfigStore = (loaded: LoadedConfig, env: Env) =>
  Effect.gen(function*() {
    const files = yield* FileSystem.FileSystem
    const started = loaded.config
    // Layers that follow live settings (the log level) subscribe to its changes.
    const state = yield* SubscriptionRef.make({ config: loaded.config, pending: loaded.config })
    const lock = yield* Effect.makeSemaphore(1)
    const overrides = environmentOverrides(env)

    const update = (patch: unknown) =>
      lock.withPermits(1)(Effect.gen(function*() {
        if (!isJsonObject(patch)) {
          return yield* new InvalidConfig({ message: "the body must be a JSON object of config keys" })
        }
        if (nestsDeeperThan(patch, MAX_CONFIG_DEPTH)) {
          return yield* new InvalidConfig({ message: `the body nests deeper than any config key (over ${MAX_CONFIG_DEPTH} levels)` })
        }
        // The file as it is now: an operator may have edited it by hand since the last update.
        const onDisk = yield* readConfigFileNow(files, loaded.path)
        const file = applyNulls(mergeJson(onDisk, withoutRedactedSecrets(patch)))
        const next = yield* resolveConfig(file, env)
        const fileProblems = yield* Effect.forEach(namedFiles(next), (named) => unreadable(files, named))
        const problems = [...updateProblems(patch, next), ...fileProblems.filter((problem) => problem !== undefined)]
        if (problems.length > 0) return yield* new InvalidConfig({ message: problems.join("; ") })
        yield* writeAtomically(files, loaded.path, file)
        const config = runningAfter(started, next, restartKeys)
        yield* SubscriptionRef.set(state, { config, pending: next })
        const changed = changedKeys(onDisk, file).sort()
        return {
          changed,
          restartRequired: changed.filter(needsRestart),
          overriddenByEnvironment: changed.filter((key) => Object.prototype.hasOwnProperty.call(overrides, key)),
          config
        } satisfies ConfigUpdate
      }))

    return {
      path: loaded.path,
      current: Effect.map(SubscriptionRef.get(state), (s) => s.config),
      changes: Stream.map(state.changes, (s) => s.config),
      pending: Effect.map(SubscriptionRef.get(state), (s) =>
        [...restartKeys].flatMap((key): Array<PendingChange> => {
          const running = valueAtPath(s.config, key)
          const pending = valueAtPath(s.pending, key)
          return JSON.stringify(running) === JSON.stringify(pending) ? [] : [{ key, running, pending }]
        })),
      update
    } satisfies ConfigStoreShape
  })

export const configStoreLayer = (loaded: LoadedConfig, env: Env) =>
  Layer.effect(ConfigStore, makeConfigStore(loaded, env)).pipe(Layer.provide(NodeFileSystem.layer))
