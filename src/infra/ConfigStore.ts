/**
 * The effective configuration at run time, and its persistence.
 *
 * Loaded once at startup (defaults < config.json < FACEPHI_IAD_* environment). `POST /config`
 * merges a partial object over the file's contents, validates the whole result, writes the file
 * atomically (temp file + rename) and only then applies it, so a failed update changes nothing.
 */
import { Context, Data, Effect, Either, Layer, Ref } from "effect"
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

export interface ConfigStoreShape {
  readonly path: string
  readonly current: Effect.Effect<ServiceConfig>
  readonly update: (patch: unknown) => Effect.Effect<ConfigUpdate, InvalidConfig | ConfigFileError>
}

export class ConfigStore extends Context.Tag("iad/ConfigStore")<ConfigStore, ConfigStoreShape>() {}

type Env = Readonly<Record<string, string | undefined>>

export const configPathOf = (env: Env): string => env[CONFIG_PATH_VARIABLE]?.trim() || DEFAULT_CONFIG_PATH

/** Reads config.json; a missing file means "all defaults". */
export const readConfigFile = (file: string): Either.Either<JsonObject, ConfigFileError> => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Either.right({})
    return Either.left(new ConfigFileError({ message: `cannot read config file ${file}: ${(error as Error).message}` }))
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return isJsonObject(parsed)
      ? Either.right(parsed)
      : Either.left(new ConfigFileError({ message: `config file ${file} must hold a JSON object` }))
  } catch (error) {
    return Either.left(new ConfigFileError({ message: `config file ${file} is not valid JSON: ${(error as Error).message}` }))
  }
}

/** Writes through a temp file in the same directory and renames it, so readers never see half a file. */
const writeAtomically = (file: string, contents: JsonObject): Effect.Effect<void, ConfigFileError> =>
  Effect.try({
    try: () => {
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o600
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`
      try {
        fs.writeFileSync(temp, JSON.stringify(contents, null, 2) + "\n", { mode })
        fs.renameSync(temp, file)
      } catch (error) {
        fs.rmSync(temp, { force: true })
        throw error
      }
    },
    catch: (error) => new ConfigFileError({ message: `cannot write config file ${file}: ${(error as Error).message}` })
  })

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

export const makeConfigStore = (loaded: LoadedConfig, env: Env, onApplied: (config: ServiceConfig) => void = () => {}) =>
  Effect.gen(function*() {
    const state = yield* Ref.make({ file: loaded.file, config: loaded.config })
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
        const before = yield* Ref.get(state)
        const file = mergeJson(before.file, withoutRedactedSecrets(patch))
        const config = yield* resolveConfig(file, env)
        yield* writeAtomically(loaded.path, file)
        yield* Ref.set(state, { file, config })
        onApplied(config)
        const changed = changedKeys(before.file, file).sort()
        return {
          changed,
          restartRequired: changed.filter(needsRestart),
          overriddenByEnvironment: changed.filter((key) => Object.prototype.hasOwnProperty.call(overrides, key)),
          config
        } satisfies ConfigUpdate
      }))

    return {
      path: loaded.path,
      current: Effect.map(Ref.get(state), (s) => s.config),
      update
    } satisfies ConfigStoreShape
  })

export const configStoreLayer = (loaded: LoadedConfig, env: Env, onApplied?: (config: ServiceConfig) => void) =>
  Layer.effect(ConfigStore, makeConfigStore(loaded, env, onApplied))
