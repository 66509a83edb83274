/**
 * What `POST /config` may change, beyond the shape the Schema checks: an update that validates
 * can still lock the operator out (`client_max_body_size: "1"` refuses every later call), stop
 * the next start (a license file that does not exist), or point the service's writes anywhere on
 * disk. These rules run before anything is written; the file checks they ask for are infra's.
 */
import * as Either from "effect/Either"
import { parseByteSize } from "./ByteSize.js"
import type { JsonObject, ServiceConfig } from "./ServiceConfig.js"

/** Keys that name places on disk the service writes to: set in config.json or the environment only. */
export const fileOnlyKeys: ReadonlyArray<string> = ["keys_dir", "log.log_path", "license.license_dir"]

/** A capture is a few hundred KB: under this no capture (and no later config call) gets through. */
export const MIN_BODY_BYTES = 64 * 1024
/** Seconds: shorter idle or queue timeouts cut ordinary clients (0 used to mean "never close"). */
export const MIN_IDLE_CONNECTION_SECONDS = 1
export const MIN_QUEUE_TIMEOUT_SECONDS = 0.1

/** A path the configuration names, and what the service needs of it after a restart. */
export interface NamedPath {
  readonly key: string
  readonly path: string
  readonly need: "readable file"
}

const valueAt = (object: JsonObject, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((inner, key) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner) ? (inner as JsonObject)[key] : undefined, object)

const touches = (patch: JsonObject, key: string): boolean => valueAt(patch, key) !== undefined

/** Metrics are never served on the public port: the same port would also stop the next start. */
export const metricsPortProblem = (config: Pick<ServiceConfig, "port" | "metrics_port">): string | undefined =>
  config.metrics_port !== 0 && config.metrics_port === config.port
    ? `config key "metrics_port": must differ from "port" (${config.port}); metrics are never served on the public port`
    : undefined

/**
 * Problems with an update (`patch`, resolving to `next`), each naming its key; empty when
 * acceptable. Only what the update sets is judged: a value already in the file stays the
 * operator's (tests run on port 0, for instance).
 */
export const updateProblems = (patch: JsonObject, next: ServiceConfig): Array<string> => {
  const problems: Array<string> = []
  for (const key of fileOnlyKeys) {
    if (touches(patch, key)) {
      problems.push(`config key "${key}" names a place the service writes to: set it in config.json or the environment, not through the API`)
    }
  }
  if (touches(patch, "port") && next.port < 1) problems.push(`config key "port": must be 1..65535`)
  const bodyLimit = Either.getOrUndefined(parseByteSize(next.client_max_body_size))
  if (touches(patch, "client_max_body_size") && bodyLimit !== undefined && bodyLimit < MIN_BODY_BYTES) {
    problems.push(`config key "client_max_body_size": at least 64k (or "" for no limit), so that captures still fit`)
  }
  if (touches(patch, "idle_connection_timeout") && next.idle_connection_timeout < MIN_IDLE_CONNECTION_SECONDS) {
    problems.push(`config key "idle_connection_timeout": at least ${MIN_IDLE_CONNECTION_SECONDS} s`)
  }
  if ((touches(patch, "metrics_port") || touches(patch, "port")) && metricsPortProblem(next) !== undefined) {
    problems.push(metricsPortProblem(next)!)
  }
  if (touches(patch, "engine_queue_timeout") && next.engine_queue_timeout < MIN_QUEUE_TIMEOUT_SECONDS) {
    problems.push(`config key "engine_queue_timeout": at least ${MIN_QUEUE_TIMEOUT_SECONDS} s`)
  }
  return problems
}

/** Files the configuration names that must be readable for the next start to succeed. */
export const namedFiles = (config: ServiceConfig): Array<NamedPath> => {
  const license = config.license
  const tls = config.tls
  return [
    ...(license === undefined ? [] : [
      { key: "license.public_key_file", path: license.public_key_file, need: "readable file" as const },
      ...(license.key_file === undefined ? [] : [{ key: "license.key_file", path: license.key_file, need: "readable file" as const }])
    ]),
    ...(tls === undefined ? [] : [
      { key: "tls.cert_file", path: tls.cert_file, need: "readable file" as const },
      { key: "tls.key_file", path: tls.key_file, need: "readable file" as const },
      ...(tls.ca_file === undefined ? [] : [{ key: "tls.ca_file", path: tls.ca_file, need: "readable file" as const }])
    ])
  ]
}

/** `null` in an update resets a key to its default (and removes an optional section such as `license`). */
export const applyNulls = (merged: JsonObject): JsonObject => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(merged)) {
    if (value === null) continue
    out[key] = typeof value === "object" && !Array.isArray(value) ? applyNulls(value as JsonObject) : value
  }
  return out
}

/**
 * The configuration in force after an update: the new values, except that restart-only keys keep
 * the values the service started with (those in `next` are pending until a restart).
 */
export const runningAfter = (started: ServiceConfig, next: ServiceConfig, restartOnly: ReadonlySet<string>): ServiceConfig => {
  const out = structuredClone(next) as unknown as Record<string, unknown>
  for (const dotted of restartOnly) {
    const path = dotted.split(".")
    const last = path.pop()!
    const source = path.length === 0 ? started : valueAt(started as unknown as JsonObject, path.join("."))
    let target: Record<string, unknown> | undefined = out
    for (const key of path) target = target?.[key] as Record<string, unknown> | undefined
    if (target === undefined) continue
    const kept = typeof source === "object" && source !== null ? (source as JsonObject)[last] : undefined
    if (kept === undefined) delete target[last]
    else target[last] = structuredClone(kept)
  }
  return out as unknown as ServiceConfig
}
