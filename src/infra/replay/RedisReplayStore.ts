/**
 * The replay store shared by several instances: Redis `SET key 1 PX ttl NX`, atomic in Redis, so
 * of two instances claiming the same key at once exactly one wins.
 *
 * Start-up with Redis unreachable: the service starts (logged as a warning) and every claim fails
 * with `ReplayStoreUnavailable` (503) until Redis answers; the client keeps reconnecting. This is
 * the same state as Redis going away later, it keeps health and management answering, and it does
 * not crash-loop a service that was started alongside its Redis. Captures are never accepted
 * unchecked either way.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { Redis } from "ioredis"
import { isIP } from "node:net"
import { ReplayStore, type ReplayStoreShape, ReplayStoreUnavailable } from "../../domain/ReplayStore.js"
import { replayKeyDigest, wholeTtlMillis } from "./ReplayKey.js"
import type { RedisConnection } from "./RedisUrl.js"

export const REDIS_KEY_PREFIX = "iad:replay:"
/** Connecting to a Redis on the same network takes milliseconds; a second already means trouble. */
export const REDIS_CONNECT_TIMEOUT_MILLIS = 1_000
/** A healthy Redis answers SET NX in well under a millisecond; past this a request is refused, not held. */
export const REDIS_COMMAND_TIMEOUT_MILLIS = 500
/** Reconnect attempts back off by 100 ms a time up to this, so a restarted Redis is found within seconds. */
export const REDIS_RECONNECT_MAX_DELAY_MILLIS = 2_000
/** `Retry-After` while Redis is unreachable: a few reconnect attempts fit in it. */
export const REDIS_RETRY_AFTER_SECONDS = 5

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const newClient = (connection: RedisConnection): Redis =>
  new Redis({
    host: connection.host,
    port: connection.port,
    db: connection.db,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    // SNI takes a host name, never an IP address; the certificate is checked against the host either way.
    ...(connection.tls ? { tls: isIP(connection.host) === 0 ? { servername: connection.host } : {} } : {}),
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MILLIS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MILLIS,
    // A claim is never queued or resent: while disconnected it fails at once, and a SET whose reply
    // was lost is not replayed on reconnect (it would then read as its own replay).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The connection itself is retried for as long as the service runs.
    retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_RECONNECT_MAX_DELAY_MILLIS)
  })

/** Logs connection changes once each (ioredis repeats the same error on every reconnect attempt). */
const watchConnection = (client: Redis, description: string, log: (effect: Effect.Effect<void>) => void) => {
  const state = { lastError: "" as string, lost: false }
  client.on("ready", () => {
    if (state.lost || state.lastError !== "") log(Effect.logInfo(`Replay store ${description} is reachable again`))
    state.lost = false
    state.lastError = ""
  })
  client.on("close", () => {
    if (!state.lost && state.lastError === "") {
      log(Effect.logWarning(`Replay store ${description}: connection lost; captures are refused (503) until it is back`))
    }
    state.lost = true
  })
  client.on("error", (error: unknown) => {
    const message = errorMessage(error)
    if (message === state.lastError) return
    state.lastError = message
    log(Effect.logWarning(`Replay store ${description} failing: ${message}; captures are refused (503) until it answers`))
  })
  return state
}

const close = (client: Redis): Effect.Effect<void> =>
  Effect.gen(function*() {
    // Our own quit is no outage: no "connection lost" warning for it.
    client.removeAllListeners("close")
    yield* Effect.promise(() => client.quit().then(() => undefined, () => undefined)).pipe(
      Effect.timeout(Duration.millis(REDIS_COMMAND_TIMEOUT_MILLIS)),
      Effect.ignore
    )
    client.disconnect()
  })

export const makeRedisReplayStore = (connection: RedisConnection) =>
  Effect.gen(function*() {
    const { description } = connection
    const runtime = yield* Effect.runtime<never>()
    const client = yield* Effect.acquireRelease(Effect.sync(() => newClient(connection)), close)
    const connectionState = watchConnection(client, description, (effect) => Runtime.runFork(runtime)(effect))

    yield* Effect.tryPromise(() => client.connect()).pipe(
      Effect.timeout(Duration.millis(2 * REDIS_CONNECT_TIMEOUT_MILLIS)),
      Effect.matchEffect({
        onSuccess: () => Effect.logInfo(`Replay store: ${description}`),
        onFailure: () =>
          Effect.logWarning(
            `Replay store ${description} is not reachable at start: the service starts and refuses captures (503) until it answers`
          )
      })
    )

    const unavailable = (reason: string) =>
      new ReplayStoreUnavailable({ detail: `${description}: ${reason}`, retryAfterSeconds: REDIS_RETRY_AFTER_SECONDS })

    const setIfAbsent = (key: string, ttl: number) =>
      Effect.tryPromise({
        try: () => client.set(REDIS_KEY_PREFIX + replayKeyDigest(key), "1", "PX", ttl, "NX"),
        catch: (error) => unavailable(errorMessage(error))
      }).pipe(
        // ioredis' own commandTimeout should fire first; this bounds the claim whatever happens.
        Effect.timeoutFail({
          duration: Duration.millis(REDIS_COMMAND_TIMEOUT_MILLIS + 100),
          onTimeout: () => unavailable("no answer in time")
        }),
        Effect.map((reply) => reply === "OK")
      )

    // The connection state is read when the claim runs, not when its effect is built.
    const claim: ReplayStoreShape["claim"] = (key, ttlMillis) =>
      Effect.flatMap(wholeTtlMillis(ttlMillis), (ttl) =>
        client.status === "ready"
          ? setIfAbsent(key, ttl)
          : Effect.fail(unavailable(`not connected (${connectionState.lastError || client.status})`)))

    return { description, claim } satisfies ReplayStoreShape
  })

export const redisReplayStoreLayer = (connection: RedisConnection): Layer.Layer<ReplayStore> =>
  Layer.scoped(ReplayStore, makeRedisReplayStore(connection))
