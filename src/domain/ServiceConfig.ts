/**
 * The service configuration: its Schema, defaults, precedence (environment > config.json >
 * defaults), validation messages that name the bad key, and redaction for `GET /config`.
 */
import * as Config from "effect/Config"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { readFromEnv } from "./EnvironmentConfig.js"
import { ByteSizeString } from "./ByteSize.js"
import { defaultDetectionConfig, DetectionConfig } from "./DetectionConfig.js"
import { defaultFaceThresholds, FaceThresholds } from "./FaceThresholds.js"
import { LicenseConfig } from "./LicenseConfig.js"
import { DemoConfig, defaultDemoConfig, defaultSessionsConfig, SessionsConfig } from "./SessionsConfig.js"
import { TlsConfig } from "./TlsConfig.js"

const Port = Schema.Int.pipe(Schema.between(0, 65535))
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())
const PositiveInt = Schema.Int.pipe(Schema.positive())
const Probability = Schema.Number.pipe(Schema.between(0, 1))

export const LogLevelName = Schema.Literal("TRACE", "DEBUG", "INFO", "WARN", "ERROR")
export type LogLevelName = typeof LogLevelName.Type

export const LogConfig = Schema.Struct({
  /** Empty: log to stdout. Otherwise a file, rotated when it reaches `log_size_limit` bytes. */
  log_path: Schema.String,
  log_level: LogLevelName,
  log_size_limit: PositiveInt
})

export const EngineKind = Schema.Literal("native", "fake")
export type EngineKind = typeof EngineKind.Type

export const ServiceConfig = Schema.Struct({
  port: Port,
  address: Schema.String.pipe(Schema.minLength(1)),
  /** Size of the libuv worker pool that runs engine work off the main thread; 0 = one per CPU. */
  number_of_threads: NonNegativeInt,
  engine_pool_size: PositiveInt,
  engine: EngineKind,
  /** Longest wait for a free engine, in seconds, before answering 503 with Retry-After. */
  engine_queue_timeout: Schema.Number.pipe(Schema.positive()),
  client_max_body_size: ByteSizeString,
  keys_dir: Schema.String.pipe(Schema.minLength(1)),
  /** Seconds an idle keep-alive connection stays open. */
  idle_connection_timeout: NonNegativeInt,
  /** Open connections in all; further connections are closed at once. 0 = no limit. */
  max_connections: NonNegativeInt,
  /** Open connections from one client address; further ones are closed at once. 0 = no limit. */
  max_connections_per_ip: NonNegativeInt,
  /** Seconds a client has to send a whole request (headers and body); slower ones get 408. */
  request_timeout: Schema.Number.pipe(Schema.positive(), Schema.finite()),
  /** Body bytes all uploads in progress may hold together; beyond it new uploads get 503 + Retry-After. "" = no limit. */
  max_upload_bytes_in_flight: ByteSizeString,
  /** Port of the Prometheus `GET /metrics` listener, never the public port; 0 = no metrics listener. */
  metrics_port: Port,
  /** Address of the metrics listener: loopback by default, so metrics stay private even on 0.0.0.0. */
  metrics_address: Schema.String.pipe(Schema.minLength(1)),
  liveness_threshold: Probability,
  log: LogConfig,
  /** Cryptlex license; absent: the service runs unlicensed (development). */
  license: Schema.optional(LicenseConfig),
  /** HTTPS on `port`; absent: plain HTTP (behind a TLS-terminating proxy). */
  tls: Schema.optional(TlsConfig),
  /** Limits of the face checks (docs/face-analysis.md). */
  face: FaceThresholds,
  /** Lists and limits of the capture checks (docs/detection.md). */
  detection: DetectionConfig,
  /** Server-issued sessions of web captures (docs/web.md). */
  sessions: SessionsConfig,
  /** The demo page (off by default; `npm run demo`). */
  demo: DemoConfig
})
export type ServiceConfig = typeof ServiceConfig.Type

export const defaultConfig: ServiceConfig = {
  port: 6982,
  address: "0.0.0.0",
  number_of_threads: 0,
  engine_pool_size: 2,
  engine: "native",
  engine_queue_timeout: 10,
  client_max_body_size: "10M",
  keys_dir: "keys",
  idle_connection_timeout: 60,
  // Below common fd limits (1024 soft in many shells and containers); the server also keeps it
  // below the process's own limit at start (src/http/NodeServer.ts). Drogon's default, 100000, is not.
  max_connections: 1000,
  max_connections_per_ip: 0,
  request_timeout: 30,
  // 20 uploads at the default 10M limit: ~400 MB of RSS at most (docs/operations.md, "Limits").
  max_upload_bytes_in_flight: "200M",
  metrics_port: 0,
  metrics_address: "127.0.0.1",
  liveness_threshold: 0.5,
  log: { log_path: "", log_level: "INFO", log_size_limit: 100 * 1024 * 1024 },
  face: defaultFaceThresholds,
  detection: defaultDetectionConfig,
  sessions: defaultSessionsConfig,
  demo: defaultDemoConfig
}

/** Keys whose new value takes effect only after a restart (the rest apply at once). */
export const restartKeys: ReadonlySet<string> = new Set([
  "port",
  "address",
  "number_of_threads",
  "engine_pool_size",
  "engine",
  "engine_queue_timeout",
  "keys_dir",
  "idle_connection_timeout",
  "max_connections",
  "max_connections_per_ip",
  "request_timeout",
  "tls",
  "metrics_port",
  "metrics_address",
  "log.log_path",
  "log.log_size_limit",
  "license"
])

/** True when a changed dotted path (see `changedKeys`) or any section above it needs a restart. */
export const needsRestart = (path: string): boolean => {
  const parts = path.split(".")
  return parts.some((_, i) => restartKeys.has(parts.slice(0, i + 1).join(".")))
}

/** Plain JSON object, as read from config.json or a POST body. */
export type JsonObject = { readonly [key: string]: unknown }

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Objects and arrays nest at most two levels in a configuration (`detection.virtual_camera_names`): generous. */
export const MAX_CONFIG_DEPTH = 8

/**
 * True when `value` holds an object or array nested deeper than `max` levels. Iterative, so that
 * a hostile body cannot overflow the stack here (the merge and redaction below recurse).
 */
export const nestsDeeperThan = (value: unknown, max: number): boolean => {
  const pending: Array<readonly [unknown, number]> = [[value, 0]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next
    if (typeof item !== "object" || item === null) continue
    if (depth > max) return true
    for (const inner of Object.values(item)) pending.push([inner, depth + 1])
  }
  return false
}

/** Deep merge of JSON objects: nested objects merge, anything else replaces. */
export const mergeJson = (base: JsonObject, patch: JsonObject): JsonObject => {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key]
    out[key] = isJsonObject(current) && isJsonObject(value) ? mergeJson(current, value) : value
  }
  return out
}

/** Top-level scalar keys, each overridable by `FACEPHI_IAD_<KEY>`. */
const scalarKeys = Object.entries(ServiceConfig.fields)
  .filter(([key]) => key in defaultConfig && !isJsonObject((defaultConfig as JsonObject)[key]))
  .map(([key]) => key)

export const envNameOf = (key: string): string => `FACEPHI_IAD_${key.toUpperCase()}`

/**
 * Environment overrides as a JSON object (numbers where the default is a number, else strings),
 * read as one `Config` of every `FACEPHI_IAD_<KEY>`; the Schema then validates them with the file.
 */
export const overridesConfig: Config.Config<JsonObject> = Config.all(
  Object.fromEntries(scalarKeys.map((key) => [key, Config.option(Config.string(envNameOf(key)))]))
).pipe(
  Config.map((values) => {
    const out: Record<string, unknown> = {}
    for (const [key, raw] of Object.entries(values)) {
      if (Option.isNone(raw)) continue
      const isNumeric = typeof (defaultConfig as JsonObject)[key] === "number"
      out[key] = isNumeric && raw.value.trim() !== "" && Number.isFinite(Number(raw.value)) ? Number(raw.value) : raw.value
    }
    return out
  })
)

export const environmentOverrides = (env: Readonly<Record<string, string | undefined>>): JsonObject =>
  Either.getOrElse(readFromEnv(overridesConfig, env), () => ({}))

/** Names the variable that set a key, so that a bad override is easy to find. */
const sourceOf = (key: string, env: JsonObject): string =>
  Object.prototype.hasOwnProperty.call(env, key) ? ` (from ${envNameOf(key)})` : ""

export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  message: Schema.String
}) {}

const decodeStrict = Schema.decodeUnknownEither(ServiceConfig, { onExcessProperty: "error", errors: "all" })

/** Validates a whole configuration; the message names every bad key. */
export const validateConfig = (
  candidate: unknown,
  environment: JsonObject = {}
): Either.Either<ServiceConfig, InvalidConfig> =>
  Either.mapLeft(decodeStrict(candidate), (error) => {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
    const lines = issues.map((issue) => {
      const key = issue.path.map(String).join(".")
      const top = String(issue.path[0] ?? "")
      const what = issue._tag === "Unexpected" ? "unknown key" : issue.message
      return `config key "${key === "" ? "(root)" : key}"${sourceOf(top, environment)}: ${what}`
    })
    return new InvalidConfig({ message: lines.join("; ") })
  })

/** defaults < file < environment, validated as a whole. */
export const resolveConfig = (
  file: JsonObject,
  env: Readonly<Record<string, string | undefined>>
): Either.Either<ServiceConfig, InvalidConfig> => {
  const overrides = environmentOverrides(env)
  return validateConfig(mergeJson(mergeJson(defaultConfig as JsonObject, file), overrides), overrides)
}

const SECRET_KEY = /(^|_)(key|token|secret|password)$/i
export const REDACTED = "<redacted>"

/**
 * Drops secret fields that still hold the redaction placeholder, so that a body copied from
 * `GET /config` and posted back keeps the real secret instead of storing "<redacted>".
 */
export const withoutRedactedSecrets = (patch: JsonObject): JsonObject => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(patch)) {
    if (SECRET_KEY.test(key) && value === REDACTED) continue
    out[key] = isJsonObject(value) ? withoutRedactedSecrets(value) : value
  }
  return out
}

/** The configuration as `GET /config` shows it: any secret-looking value is replaced. */
export const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact)
  if (!isJsonObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && typeof inner === "string" && inner !== "" ? REDACTED : redact(inner)
  }
  return out
}

/** Dotted paths of every leaf that differs between two configs. */
export const changedKeys = (before: JsonObject, after: JsonObject, prefix = ""): Array<string> => {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  const out: Array<string> = []
  for (const key of keys) {
    const path = prefix === "" ? key : `${prefix}.${key}`
    const a = before[key]
    const b = after[key]
    if (isJsonObject(a) && isJsonObject(b)) out.push(...changedKeys(a, b, path))
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path)
  }
  return out
}
