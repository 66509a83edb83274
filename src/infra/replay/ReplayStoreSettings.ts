/**
 * Which replay store to use, from `FACEPHI_IAD_REPLAY_ATTACK_STORE` (environment only, like the
 * other replay settings): unset, empty or `memory` keeps it in this instance; a `redis://` or
 * `rediss://` URL shares it between instances through Redis.
 */
import type * as Config from "effect/Config"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import { type Env, parsed, readFromEnv } from "../../domain/EnvironmentConfig.js"
import type { ReplayStore } from "../../domain/ReplayStore.js"
import { memoryReplayStoreLayer } from "./MemoryReplayStore.js"
import { redisReplayStoreLayer } from "./RedisReplayStore.js"
import { parseRedisUrl, type RedisConnection } from "./RedisUrl.js"

export const STORE_VARIABLE = "FACEPHI_IAD_REPLAY_ATTACK_STORE"

export type ReplayStoreSettings =
  | { readonly kind: "memory" }
  | { readonly kind: "redis"; readonly connection: RedisConnection }

/** An invalid value is an error naming the variable; the value itself is not repeated (it may hold a password). */
const parseStore = (value: string): Either.Either<ReplayStoreSettings, string> => {
  const raw = value.trim()
  if (raw === "" || raw.toLowerCase() === "memory") return Either.right({ kind: "memory" })
  if (!/^rediss?:\/\//i.test(raw)) {
    return Either.left(`${STORE_VARIABLE} is not valid: use memory, redis://host:port/db or rediss://host:port/db`)
  }
  return Either.match(parseRedisUrl(raw), {
    onLeft: (why) =>
      Either.left(`${STORE_VARIABLE} is not valid: ${why} (expected redis://[user:password@]host[:port][/db] or rediss://...)`),
    onRight: (connection) => Either.right({ kind: "redis", connection })
  })
}

/** The variable as a `Config`; an invalid value is an error naming it (never repeating it: it may hold a password). */
export const replayStoreConfig: Config.Config<ReplayStoreSettings> = parsed(STORE_VARIABLE, parseStore)

export const replayStoreSettingsFromEnv = (env: Env): Either.Either<ReplayStoreSettings, string> =>
  readFromEnv(replayStoreConfig, env)

export const replayStoreLayer = (settings: ReplayStoreSettings): Layer.Layer<ReplayStore> =>
  settings.kind === "memory" ? memoryReplayStoreLayer() : redisReplayStoreLayer(settings.connection)
