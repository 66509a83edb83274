/**
 * Replay attack mitigation: a capture is fresh when its declared creation time lies within the
 * tolerance window around now, in either direction, and counts once: its id is remembered in the
 * `ReplayStore` until it would be stale anyway, so the same capture posted again inside the window
 * is a replay too. Configured from the environment at startup only; not part of config.json nor
 * of `/config`.
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Env, parsed, readFromEnv } from "./EnvironmentConfig.js"
import { ReplayStore, type ReplayStoreUnavailable } from "./ReplayStore.js"

export interface ReplayPolicy {
  readonly enabled: boolean
  readonly toleranceSeconds: number
}

export const ENABLED_VARIABLE = "FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED"
export const TOLERANCE_VARIABLE = "FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME"
export const DEFAULT_TOLERANCE_SECONDS = 300

/** The policy in force, read once at startup. */
export class ReplaySettings extends Context.Tag("iad/ReplaySettings")<ReplaySettings, ReplayPolicy>() {}

export class ReplayAttackDetected extends Data.TaggedError("ReplayAttackDetected")<{
  /** How far the creation time lies from now, ms (positive: in the past). */
  readonly ageMillis: number
  /** For the log: outside the window, or a capture id already seen inside it. */
  readonly why: "stale" | "seen before"
}> {}

const parseEnabled = (raw: string): Either.Either<boolean, string> => {
  if (raw.trim() === "") return Either.right(false)
  const value = raw.trim().toLowerCase()
  if (value === "true" || value === "1") return Either.right(true)
  if (value === "false" || value === "0") return Either.right(false)
  return Either.left(`${ENABLED_VARIABLE}="${raw}" is not valid: use true or false`)
}

const parseTolerance = (raw: string): Either.Either<number, string> => {
  if (raw.trim() === "") return Either.right(DEFAULT_TOLERANCE_SECONDS)
  const value = raw.trim()
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    return Either.left(`${TOLERANCE_VARIABLE}="${raw}" is not valid: use a whole number of seconds (0 or more)`)
  }
  return Either.right(Number(value))
}

/** The policy's environment variables, as a `Config`; an invalid value is an error naming the variable. */
export const replayPolicyConfig: Config.Config<ReplayPolicy> = Config.all({
  enabled: parsed(ENABLED_VARIABLE, parseEnabled),
  toleranceSeconds: parsed(TOLERANCE_VARIABLE, parseTolerance)
})

export const replayPolicyFromEnv = (env: Env): Either.Either<ReplayPolicy, string> => readFromEnv(replayPolicyConfig, env)

/** Pure: is a capture created at `capturedAt` fresh at `now` (both ms)? Edges are inclusive. */
export const isFresh = (policy: ReplayPolicy, capturedAt: number, now: number): boolean =>
  !policy.enabled || (Number.isFinite(capturedAt) && Math.abs(now - capturedAt) <= policy.toleranceSeconds * 1000)

/** Instances' clocks differ a little: an id is remembered this much longer than its window. */
export const CLOCK_SKEW_MARGIN_MS = 1000

/** How long a capture id must be remembered at `now`: until the capture is stale, plus the margin. */
export const rememberFor = (policy: ReplayPolicy, capturedAt: number, now: number): number =>
  Math.max(0, capturedAt + policy.toleranceSeconds * 1000 - now) + CLOCK_SKEW_MARGIN_MS

/** Store keys of capture ids (the store also holds other single-use keys). */
export const captureKey = (captureId: string): string => `capture:${captureId}`

/**
 * With the policy on: fails with `ReplayAttackDetected` when the capture is stale or future-dated,
 * or when its id was seen before inside the window (in this instance or, with Redis, any other);
 * with `ReplayStoreUnavailable` when the store cannot tell (fail closed).
 */
export const checkReplay = (
  policy: ReplayPolicy,
  capture: { readonly captureId: string; readonly capturedAt: number }
): Effect.Effect<void, ReplayAttackDetected | ReplayStoreUnavailable, ReplayStore> =>
  Effect.gen(function*() {
    if (!policy.enabled) return
    const now = yield* Clock.currentTimeMillis
    const ageMillis = now - capture.capturedAt
    if (!isFresh(policy, capture.capturedAt, now)) return yield* new ReplayAttackDetected({ ageMillis, why: "stale" })
    const store = yield* ReplayStore
    const first = yield* store.claim(captureKey(capture.captureId), rememberFor(policy, capture.capturedAt, now))
    if (!first) return yield* new ReplayAttackDetected({ ageMillis, why: "seen before" })
  })
