/**
 * Replay attack mitigation: a capture is fresh when its declared creation time lies within the
 * tolerance window around now, in either direction. Configured from the environment at startup
 * only; not part of config.json nor of `/config`.
 */
import { Clock, Context, Data, Effect, Either } from "effect"

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
}> {}

const parseEnabled = (raw: string | undefined): Either.Either<boolean, string> => {
  if (raw === undefined || raw.trim() === "") return Either.right(false)
  const value = raw.trim().toLowerCase()
  if (value === "true" || value === "1") return Either.right(true)
  if (value === "false" || value === "0") return Either.right(false)
  return Either.left(`${ENABLED_VARIABLE}="${raw}" is not valid: use true or false`)
}

const parseTolerance = (raw: string | undefined): Either.Either<number, string> => {
  if (raw === undefined || raw.trim() === "") return Either.right(DEFAULT_TOLERANCE_SECONDS)
  const value = raw.trim()
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    return Either.left(`${TOLERANCE_VARIABLE}="${raw}" is not valid: use a whole number of seconds (0 or more)`)
  }
  return Either.right(Number(value))
}

/** Reads the policy from environment variables; an invalid value is an error naming the variable. */
export const replayPolicyFromEnv = (
  env: Readonly<Record<string, string | undefined>>
): Either.Either<ReplayPolicy, string> =>
  Either.all({
    enabled: parseEnabled(env[ENABLED_VARIABLE]),
    toleranceSeconds: parseTolerance(env[TOLERANCE_VARIABLE])
  })

/** Pure: is a capture created at `capturedAt` fresh at `now` (both ms)? Edges are inclusive. */
export const isFresh = (policy: ReplayPolicy, capturedAt: number, now: number): boolean =>
  !policy.enabled || (Number.isFinite(capturedAt) && Math.abs(now - capturedAt) <= policy.toleranceSeconds * 1000)

/** Fails with `ReplayAttackDetected` when the policy is on and the capture is stale or future-dated. */
export const checkFreshness = (policy: ReplayPolicy, capturedAt: number): Effect.Effect<void, ReplayAttackDetected> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    isFresh(policy, capturedAt, now) ? Effect.void : Effect.fail(new ReplayAttackDetected({ ageMillis: now - capturedAt })))
