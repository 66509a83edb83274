/**
 * Reading settings from environment variables with Effect's `Config`: each module describes its
 * variables as a `Config` (names, defaults, parsing with messages that name the variable), and
 * `readFromEnv` runs a description against an environment record through a `ConfigProvider`, so
 * tests and `main` pass the same kind of record and nothing reads `process.env` on its own.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

export type Env = Readonly<Record<string, string | undefined>>

/** A provider over exactly these variables (no nesting: our names are flat, `FACEPHI_IAD_*`). */
export const providerOf = (env: Env): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const]))),
    { pathDelim: "\u0000" }
  )

/** The first message of a config error (ours name their variable). */
const messageOf = (error: ConfigError.ConfigError): string =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left, right) => [left, right].filter((part) => part !== "").join("; "),
    orCase: (_, left, right) => [left, right].filter((part) => part !== "").join("; "),
    invalidDataCase: (_, path, message) => (message.includes(path.join("")) ? message : `${path.join("")}: ${message}`),
    missingDataCase: (_, path, message) => `${path.join("")}: ${message}`,
    sourceUnavailableCase: (_, path, message) => `${path.join("")}: ${message}`,
    unsupportedCase: (_, path, message) => `${path.join("")}: ${message}`
  })

export const readFromEnv = <A>(config: Config.Config<A>, env: Env): Either.Either<A, string> =>
  Effect.runSync(Effect.either(Effect.withConfigProvider(config, providerOf(env)))).pipe(Either.mapLeft(messageOf))

/** A variable read as text, "" when unset: parsers then give "" its meaning (the default). */
export const text = (name: string): Config.Config<string> => Config.string(name).pipe(Config.withDefault(""))

/** Parses a variable's text; a `Left` message becomes invalid data at that variable. */
export const parsed = <A>(name: string, parse: (raw: string) => Either.Either<A, string>): Config.Config<A> =>
  text(name).pipe(
    Config.mapOrFail((raw) => Either.mapLeft(parse(raw), (message) => ConfigError.InvalidData([name], message)))
  )
