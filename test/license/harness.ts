/** Shared helpers for the license tests: a license section on disk, a gate with its own scope. */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Chunk, Clock, Context, Effect, Exit, Layer, Schema, Scope, TestClock } from "effect"
import { LicenseConfig } from "../../src/domain/LicenseConfig.js"
import { LicenseGate, type LicenseGateShape } from "../../src/domain/LicenseGate.js"
import type { LicenseStartupError } from "../../src/domain/LicenseStartupError.js"
import { cryptlexLicenseLayer } from "../../src/infra/license/LicenseLayer.js"
import type { FakeCryptlexServer } from "./FakeCryptlexServer.js"

/** 2026-01-01T00:00:00Z, where the TestClock starts. */
export const T0 = 1_767_225_600
export const KEY = "TEST-LICENSE-KEY-0123456789ABCDEF"
export const PRODUCT = "0a1b2c3d-product"

export const tempDir = Effect.promise(() => mkdtemp(join(tmpdir(), "iad-license-")))

/** A decoded license section pointing at `server`, with its files in a fresh directory. */
export const licenseSection = (server: FakeCryptlexServer, overrides: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const publicKeyFile = join(dir, "product.pem")
    yield* Effect.promise(() => writeFile(publicKeyFile, server.publicKeyPem))
    return Schema.decodeUnknownSync(LicenseConfig)({
      key: KEY,
      product_id: PRODUCT,
      public_key_file: publicKeyFile,
      host: server.url,
      license_dir: join(dir, "license"),
      request_timeout: 2,
      retry_interval: 60,
      ...overrides
    })
  })

export interface RunningGate {
  readonly gate: LicenseGateShape
  /** Closes the gate's scope: finalizers run as at service shutdown. */
  readonly stop: Effect.Effect<void>
}

export const startGate = (section: LicenseConfig): Effect.Effect<RunningGate, LicenseStartupError> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Effect.onError(
      Layer.buildWithScope(cryptlexLicenseLayer(section), scope),
      (cause) => Scope.close(scope, Exit.failCause(cause))
    )
    return { gate: Context.get(context, LicenseGate), stop: Scope.close(scope, Exit.void) }
  })

/** Starts the TestClock at T0 and makes the fake server read the same clock. */
export const alignClocks = (server: FakeCryptlexServer) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0 * 1000)
    const clock = yield* Effect.clock
    server.now = () => Math.floor(clock.unsafeCurrentTimeMillis() / 1000)
  })

export const nowSeconds = Effect.map(Clock.currentTimeMillis, (millis) => Math.floor(millis / 1000))

/** Waits on the wall clock (never the TestClock) for background I/O to land. */
const wallSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** Polls `effect` until `done` holds, for up to `millis` of wall time; returns the last value. */
export const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (value: A) => boolean, millis = 3000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + millis
    let value = yield* effect
    while (!done(value) && Date.now() < deadline) {
      yield* wallSleep(10)
      value = yield* effect
    }
    return value
  })

/**
 * Waits (wall time) until some fiber sleeps until `seconds` from the TestClock's now, so that a
 * following `TestClock.adjust` reaches it: background work schedules its next wake-up only after
 * its HTTP exchange, which the TestClock does not wait for.
 */
export const untilScheduled = (seconds: number) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const target = now + seconds * 1000
    const sleeps = yield* eventually(Effect.map(TestClock.sleeps(), Chunk.toReadonlyArray), (list) => list.some((at) => at === target))
    if (!sleeps.some((at) => at === target)) {
      return yield* Effect.dieMessage(`nothing was scheduled ${seconds} s ahead (pending: ${sleeps.map((at) => (at - now) / 1000).join(", ")})`)
    }
  })
