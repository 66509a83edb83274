import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Duration, Effect, Either, Exit, Layer, Logger, Schedule, type Scope, TestClock } from "effect"
import { Redis } from "ioredis"
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import * as path from "node:path"
import { promisify } from "node:util"
import { ReplayStore, type ReplayStoreShape, ReplayStoreUnavailable } from "../../src/domain/ReplayStore.js"
import { MEMORY_REPLAY_STORE_MAX_ENTRIES, memoryReplayStoreLayer } from "../../src/infra/replay/MemoryReplayStore.js"
import { replayKeyDigest } from "../../src/infra/replay/ReplayKey.js"
import {
  REDIS_COMMAND_TIMEOUT_MILLIS,
  REDIS_KEY_PREFIX,
  REDIS_RETRY_AFTER_SECONDS,
  redisReplayStoreLayer
} from "../../src/infra/replay/RedisReplayStore.js"
import { parseRedisUrl, type RedisConnection } from "../../src/infra/replay/RedisUrl.js"
import { replayStoreLayer, replayStoreSettingsFromEnv, STORE_VARIABLE } from "../../src/infra/replay/ReplayStoreSettings.js"
import { freePort, startRedisServer } from "../support/RedisServer.js"

const execFileAsync = promisify(execFile)

const storeOf = <E, R>(layer: Layer.Layer<ReplayStore, E, R>): Effect.Effect<ReplayStoreShape, E, R | Scope.Scope> =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, ReplayStore))

const connectionOf = (url: string): RedisConnection =>
  Either.getOrThrowWith(parseRedisUrl(url), (why) => new Error(`test URL ${url}: ${why}`))

const redisStoreAt = (url: string) => storeOf(redisReplayStoreLayer(connectionOf(url)))

/** Log lines written while `effect` runs (and by anything it starts, e.g. connection watchers). */
const collectingLogs = () => {
  const lines: Array<string> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
  )
  return { lines, layer }
}

/** Runs `effect` and reports its outcome and how long it took (real time). */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const outcome = yield* Effect.either(effect)
    return { outcome, millis: performance.now() - start }
  })

const claimMany = (store: ReplayStoreShape, key: string, count: number) =>
  Effect.all(Array.from({ length: count }, () => store.claim(key, 60_000)), { concurrency: "unbounded" })

/** Claims fresh keys until one is accepted (the store is back), 100 ms apart, for up to 8 s. */
const untilAccepted = (store: ReplayStoreShape) =>
  timed(
    Effect.suspend(() => store.claim(randomUUID(), 60_000)).pipe(
      Effect.filterOrFail((accepted) => accepted, () => new Error("a fresh key was refused")),
      Effect.retry({ schedule: Schedule.spaced(Duration.millis(100)), times: 80 })
    )
  )

const expectUnavailable = (outcome: Either.Either<boolean, unknown>): ReplayStoreUnavailable => {
  if (Either.isRight(outcome)) throw new Error(`expected ReplayStoreUnavailable, got ${outcome.right}`)
  expect(outcome.left).toBeInstanceOf(ReplayStoreUnavailable)
  return outcome.left as ReplayStoreUnavailable
}

// The same contract for both stores, each against the real thing.
const stores: ReadonlyArray<readonly [string, Effect.Effect<ReplayStoreShape, Error, Scope.Scope>]> = [
  ["memory", storeOf(memoryReplayStoreLayer())],
  ["redis", Effect.flatMap(startRedisServer(), (server) => redisStoreAt(server.url))]
]

for (const [name, makeStore] of stores) {
  describe(`replay store contract: ${name}`, () => {
    it.scopedLive("the first claim of a key is accepted, the second is a replay; other keys are independent", () =>
      Effect.gen(function*() {
        const store = yield* makeStore
        expect(yield* store.claim("capture-1", 60_000)).toBe(true)
        expect(yield* store.claim("capture-1", 60_000)).toBe(false)
        expect(yield* store.claim("capture-1", 60_000)).toBe(false)
        expect(yield* store.claim("capture-2", 60_000)).toBe(true)
        expect(yield* store.claim("", 60_000)).toBe(true)
        expect(yield* store.claim("", 60_000)).toBe(false)
      }))

    it.scopedLive("a TTL that is not a finite number is a defect, not an entry", () =>
      Effect.gen(function*() {
        const store = yield* makeStore
        for (const ttl of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const exit = yield* Effect.exit(store.claim("capture", ttl))
          expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        }
        expect(yield* store.claim("capture", 60_000)).toBe(true)
      }))

    it.scopedLive("50 concurrent claims of one key: exactly one is accepted", () =>
      Effect.gen(function*() {
        const store = yield* makeStore
        const answers = yield* claimMany(store, "raced-capture", 50)
        expect(answers.filter((accepted) => accepted)).toHaveLength(1)
        expect(answers).toHaveLength(50)
      }))

    it.scopedLive("50 concurrent claims of 50 different keys are all accepted", () =>
      Effect.gen(function*() {
        const store = yield* makeStore
        const answers = yield* Effect.all(
          Array.from({ length: 50 }, (_, index) => store.claim(`capture-${index}`, 60_000)),
          { concurrency: "unbounded" }
        )
        expect(answers.every((accepted) => accepted)).toBe(true)
      }))
  })
}

describe("memory replay store", () => {
  it.scoped("an entry expires after its TTL (TestClock), and a replay does not extend it", () =>
    Effect.gen(function*() {
      const store = yield* storeOf(memoryReplayStoreLayer())
      expect(yield* store.claim("capture", 1_000)).toBe(true)
      yield* TestClock.adjust(Duration.millis(500))
      expect(yield* store.claim("capture", 1_000)).toBe(false)
      yield* TestClock.adjust(Duration.millis(499))
      expect(yield* store.claim("capture", 1_000)).toBe(false)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* store.claim("capture", 1_000)).toBe(true)
      expect(yield* store.claim("capture", 1_000)).toBe(false)
    }))

  it.scoped("a TTL of 0 or a fraction lasts one whole millisecond, like Redis PX", () =>
    Effect.gen(function*() {
      const store = yield* storeOf(memoryReplayStoreLayer())
      expect(yield* store.claim("zero", 0)).toBe(true)
      expect(yield* store.claim("zero", 0)).toBe(false)
      expect(yield* store.claim("fraction", 0.2)).toBe(true)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* store.claim("zero", 0)).toBe(true)
      expect(yield* store.claim("fraction", 0.2)).toBe(true)
    }))

  it.scoped("when full it refuses new keys (fail closed) but still recognises replays, and sweeps expired entries", () =>
    Effect.gen(function*() {
      const store = yield* storeOf(memoryReplayStoreLayer({ maxEntries: 3 }))
      expect(yield* store.claim("a", 1_000)).toBe(true)
      expect(yield* store.claim("b", 2_500)).toBe(true)
      expect(yield* store.claim("c", 3_000)).toBe(true)

      const refused = expectUnavailable(yield* Effect.either(store.claim("d", 1_000)))
      expect(refused.detail).toContain("full")
      expect(refused.retryAfterSeconds).toBe(1) // "a" expires in 1 s
      expect(yield* store.claim("a", 1_000)).toBe(false) // not forgotten to make room
      expect(yield* store.claim("c", 1_000)).toBe(false)

      yield* TestClock.adjust(Duration.millis(1_000)) // "a" expired: the sweep frees its slot
      expect(yield* store.claim("d", 5_000)).toBe(true)
      const stillFull = expectUnavailable(yield* Effect.either(store.claim("e", 1_000)))
      expect(stillFull.retryAfterSeconds).toBe(2) // "b" expires 1.5 s from now: rounded up
      expect(yield* store.claim("b", 1_000)).toBe(false)

      yield* TestClock.adjust(Duration.millis(2_000)) // "b" and "c" expired
      expect(yield* store.claim("e", 1_000)).toBe(true)
      expect(yield* store.claim("f", 1_000)).toBe(true)
      expectUnavailable(yield* Effect.either(store.claim("g", 1_000)))
    }))

  it.scoped(`the default bound holds ${MEMORY_REPLAY_STORE_MAX_ENTRIES} live keys and refuses one more`, () =>
    Effect.gen(function*() {
      const store = yield* storeOf(memoryReplayStoreLayer())
      let accepted = 0
      for (let index = 0; index < MEMORY_REPLAY_STORE_MAX_ENTRIES; index++) {
        if (yield* store.claim(`capture-${index}`, 60_000)) accepted++
      }
      expect(accepted).toBe(MEMORY_REPLAY_STORE_MAX_ENTRIES)
      const refused = expectUnavailable(yield* Effect.either(store.claim("one-more", 60_000)))
      expect(refused.retryAfterSeconds).toBe(60)
      expect(yield* store.claim("capture-0", 60_000)).toBe(false)
      yield* TestClock.adjust(Duration.seconds(60))
      expect(yield* store.claim("one-more", 60_000)).toBe(true)
    }))
})

describe("redis replay store", () => {
  it.scopedLive("stores a digest of the key under iad:replay: with the TTL; it expires in Redis (short real TTL)", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer()
      const store = yield* redisStoreAt(server.url)
      const inspector = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(server.port, "127.0.0.1", { lazyConnect: true })),
        (client) => Effect.sync(() => client.disconnect())
      )
      yield* Effect.promise(() => inspector.connect())

      expect(yield* store.claim("session-token-secret", 300)).toBe(true)
      const keys = yield* Effect.promise(() => inspector.keys("*"))
      expect(keys).toEqual([`${REDIS_KEY_PREFIX}${replayKeyDigest("session-token-secret")}`])
      const ttl = yield* Effect.promise(() => inspector.pttl(keys[0]!))
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(300)

      expect(yield* store.claim("session-token-secret", 300)).toBe(false)
      yield* Effect.sleep(Duration.millis(400))
      expect(yield* Effect.promise(() => inspector.exists(keys[0]!))).toBe(0)
      expect(yield* store.claim("session-token-secret", 300)).toBe(true)
    }))

  it.scopedLive("two instances share it: a key claimed by one is a replay at the other, also when both race", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer()
      const first = yield* redisStoreAt(server.url)
      const second = yield* redisStoreAt(server.url)

      expect(yield* first.claim("capture-seen-by-first", 60_000)).toBe(true)
      expect(yield* second.claim("capture-seen-by-first", 60_000)).toBe(false)
      expect(yield* second.claim("capture-seen-by-second", 60_000)).toBe(true)
      expect(yield* first.claim("capture-seen-by-second", 60_000)).toBe(false)

      for (let round = 0; round < 5; round++) {
        const key = `raced-${round}`
        const [fromFirst, fromSecond] = yield* Effect.all([claimMany(first, key, 25), claimMany(second, key, 25)], {
          concurrency: "unbounded"
        })
        expect([...fromFirst, ...fromSecond].filter((accepted) => accepted)).toHaveLength(1)
      }
    }))

  it.scopedLive("the database number of the URL is the one used", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer()
      const store = yield* redisStoreAt(`redis://127.0.0.1:${server.port}/3`)
      const inspector = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(server.port, "127.0.0.1", { lazyConnect: true, db: 3 })),
        (client) => Effect.sync(() => client.disconnect())
      )
      yield* Effect.promise(() => inspector.connect())
      expect(yield* store.claim("capture", 60_000)).toBe(true)
      expect(yield* Effect.promise(() => inspector.dbsize())).toBe(1)
      yield* Effect.promise(() => inspector.select(0))
      expect(yield* Effect.promise(() => inspector.dbsize())).toBe(0)
    }))

  it.scopedLive("Redis stopped: claims fail with ReplayStoreUnavailable at once, the log says why; it recovers when Redis is back", () =>
    Effect.gen(function*() {
      const logs = collectingLogs()
      const server = yield* startRedisServer()
      const store = yield* redisStoreAt(server.url).pipe(Effect.provide(logs.layer))
      expect(yield* store.claim("before", 60_000)).toBe(true)

      yield* server.stop
      for (let attempt = 0; attempt < 5; attempt++) {
        const { outcome, millis } = yield* timed(store.claim(`during-${attempt}`, 60_000))
        const refused = expectUnavailable(outcome)
        expect(refused.retryAfterSeconds).toBe(REDIS_RETRY_AFTER_SECONDS)
        expect(refused.detail).toContain(`redis://127.0.0.1:${server.port}/0`)
        expect(millis).toBeLessThan(REDIS_COMMAND_TIMEOUT_MILLIS + 200)
        yield* Effect.sleep(Duration.millis(50))
      }
      const warnings = logs.lines.filter((line) => line.startsWith("WARN"))
      expect(warnings.join("\n")).toMatch(/connection lost|ECONNREFUSED/)
      expect(warnings.length).toBeLessThanOrEqual(3) // once per change, not once per reconnect attempt

      const builtDuringOutage = store.claim("built-during-outage", 60_000)
      expectUnavailable(yield* Effect.either(builtDuringOutage))

      yield* server.start
      const { outcome, millis } = yield* untilAccepted(store)
      expect(Either.isRight(outcome)).toBe(true)
      expect(millis).toBeLessThan(4_000) // reconnect back-off is at most 2 s
      expect(logs.lines.some((line) => line.startsWith("INFO") && line.includes("reachable again"))).toBe(true)
      expect(yield* builtDuringOutage).toBe(true) // an effect built while down checks the connection when it runs
    }))

  it.scopedLive("Redis hung (SIGSTOP): a claim fails within the command timeout instead of hanging; it recovers on SIGCONT", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer()
      const store = yield* redisStoreAt(server.url)
      expect(yield* store.claim("before", 60_000)).toBe(true)

      yield* server.pause
      const { outcome, millis } = yield* timed(store.claim("during", 60_000))
      expectUnavailable(outcome)
      expect(millis).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MILLIS - 50)
      expect(millis).toBeLessThan(REDIS_COMMAND_TIMEOUT_MILLIS + 300)

      yield* server.resume
      const recovered = yield* untilAccepted(store)
      expect(Either.isRight(recovered.outcome)).toBe(true)
      expect(yield* store.claim("before", 60_000)).toBe(false) // the data survived the pause
    }))

  it.scopedLive("unreachable at start: the store starts anyway (warning), refuses claims, and works once Redis comes up", () =>
    Effect.gen(function*() {
      const logs = collectingLogs()
      const port = yield* freePort
      const started = yield* timed(redisStoreAt(`redis://127.0.0.1:${port}/0`).pipe(Effect.provide(logs.layer)))
      expect(started.millis).toBeLessThan(2_500)
      if (Either.isLeft(started.outcome)) throw started.outcome.left
      const store = started.outcome.right
      expect(logs.lines.some((line) => line.startsWith("WARN") && line.includes("not reachable at start"))).toBe(true)
      expect(logs.lines.some((line) => line.includes("ECONNREFUSED"))).toBe(true)

      const refused = yield* timed(store.claim("capture", 60_000))
      expect(expectUnavailable(refused.outcome).detail).toContain("ECONNREFUSED")
      expect(refused.millis).toBeLessThan(100)

      yield* startRedisServer({ port })
      const recovered = yield* untilAccepted(store)
      expect(Either.isRight(recovered.outcome)).toBe(true)
      expect(yield* store.claim("capture", 60_000)).toBe(true)
      expect(yield* store.claim("capture", 60_000)).toBe(false)
    }))

  it.scopedLive("a password in the URL authenticates and never reaches the description or the log", () =>
    Effect.gen(function*() {
      const password = "pw-Zq81-never-logged"
      const server = yield* startRedisServer({ args: ["--requirepass", password] })
      const logs = collectingLogs()
      const store = yield* redisStoreAt(`redis://:${password}@127.0.0.1:${server.port}/0`).pipe(Effect.provide(logs.layer))
      expect(store.description).toBe(`redis://127.0.0.1:${server.port}/0`)
      expect(yield* store.claim("capture", 60_000)).toBe(true)
      expect(yield* store.claim("capture", 60_000)).toBe(false)

      const wrong = yield* redisStoreAt(`redis://:wrong-${password}@127.0.0.1:${server.port}/0`).pipe(
        Effect.provide(logs.layer)
      )
      const refused = expectUnavailable(yield* Effect.either(wrong.claim("other", 60_000)))
      expect(refused.detail).not.toContain(password)
      expect(logs.lines.join("\n")).toMatch(/WRONGPASS|NOAUTH/)
      expect(logs.lines.join("\n")).not.toContain(password)
    }))
})

describe(`${STORE_VARIABLE} settings`, () => {
  const settingsOf = (value: string | undefined) => replayStoreSettingsFromEnv({ [STORE_VARIABLE]: value })

  it("unset, empty or memory: the memory store", () => {
    for (const value of [undefined, "", "  ", "memory", " Memory "]) {
      expect(settingsOf(value)).toEqual(Either.right({ kind: "memory" }))
    }
    expect(replayStoreSettingsFromEnv({})).toEqual(Either.right({ kind: "memory" }))
  })

  it("redis:// and rediss:// URLs: host, port, database, TLS and credentials", () => {
    expect(settingsOf("redis://10.0.0.5:6380/2")).toEqual(
      Either.right({
        kind: "redis",
        connection: {
          tls: false,
          host: "10.0.0.5",
          port: 6380,
          db: 2,
          username: undefined,
          password: undefined,
          description: "redis://10.0.0.5:6380/2"
        }
      })
    )
    expect(settingsOf("rediss://cache.internal")).toEqual(
      Either.right({
        kind: "redis",
        connection: {
          tls: true,
          host: "cache.internal",
          port: 6379,
          db: 0,
          username: undefined,
          password: undefined,
          description: "rediss://cache.internal:6379/0"
        }
      })
    )
    const withCredentials = settingsOf("REDIS://iad:p%40ss%2Fw0rd@[::1]:7000/")
    expect(withCredentials).toEqual(
      Either.right({
        kind: "redis",
        connection: {
          tls: false,
          host: "::1",
          port: 7000,
          db: 0,
          username: "iad",
          password: "p@ss/w0rd",
          description: "redis://[::1]:7000/0"
        }
      })
    )
  })

  it("anything else is an error naming the variable, without repeating a password", () => {
    const bad = [
      "redis",
      "mem",
      "http://cache:6379",
      "127.0.0.1:6379",
      "redis://",
      "redis:///0",
      "redis://:secret-pw@cache:0",
      "redis://:secret-pw@cache:70000",
      "redis://:secret-pw@cache:port",
      "redis://:secret-pw@cache/x",
      "redis://:secret-pw@cache/1/2",
      "redis://:secret-pw@cache/-1",
      "redis://:secret-pw@cache/0?tls=true",
      "redis://:secret-pw@cache/0#frag"
    ]
    for (const value of bad) {
      const parsed = settingsOf(value)
      if (Either.isRight(parsed)) throw new Error(`${value} was accepted`)
      expect(parsed.left).toContain(STORE_VARIABLE)
      expect(parsed.left).not.toContain("secret-pw")
    }
  })

  it.scopedLive("replayStoreLayer picks the store the settings name", () =>
    Effect.gen(function*() {
      const memory = yield* storeOf(replayStoreLayer(Either.getOrThrow(settingsOf("memory"))))
      expect(memory.description).toBe("memory")
      expect(yield* memory.claim("capture", 60_000)).toBe(true)

      const server = yield* startRedisServer()
      const redis = yield* storeOf(replayStoreLayer(Either.getOrThrow(settingsOf(server.url))))
      expect(redis.description).toBe(server.url)
      expect(yield* redis.claim("capture", 60_000)).toBe(true)
      expect(yield* redis.claim("capture", 60_000)).toBe(false)
    }))
})

describe("redis replay store over TLS (rediss://)", () => {
  const fixtures = path.join(import.meta.dirname, "..", "fixtures", "redis-tls")
  const tlsFiles = { certFile: path.join(fixtures, "cert.pem"), keyFile: path.join(fixtures, "key.pem") }

  it.scopedLive("an untrusted certificate is refused: claims fail closed and the log says why", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer({ tls: tlsFiles })
      const logs = collectingLogs()
      const store = yield* redisStoreAt(server.url).pipe(Effect.provide(logs.layer))
      expect(store.description).toBe(server.url)
      const refused = expectUnavailable(yield* Effect.either(store.claim("capture", 60_000)))
      expect(refused.detail).toContain("self-signed certificate")
      expect(logs.lines.join("\n")).toContain("self-signed certificate")
    }))

  it.scopedLive("a plain-text Redis does not satisfy rediss://", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer()
      const store = yield* redisStoreAt(`rediss://localhost:${server.port}/0`)
      expectUnavailable(yield* Effect.either(store.claim("capture", 60_000)))
    }))

  it.scopedLive("with the certificate trusted (NODE_EXTRA_CA_CERTS, fresh process) claims work over TLS", () =>
    Effect.gen(function*() {
      const server = yield* startRedisServer({ tls: tlsFiles })
      const output = yield* Effect.tryPromise(() =>
        execFileAsync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "..", "support", "replayClaims.ts"), "k"], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: tlsFiles.certFile, [STORE_VARIABLE]: server.url },
          timeout: 20_000
        })
      )
      expect(JSON.parse(output.stdout.trim().split("\n").at(-1) ?? "")).toEqual({
        description: server.url,
        answers: [true, false]
      })
    }))
})
