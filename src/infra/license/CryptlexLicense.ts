/**
 * The Cryptlex-backed `LicenseGate`: starts from the cached activation token when it verifies,
 * else activates; syncs on the token's schedule (`ssi`) on the fiber's Clock; decides the status
 * at every `state` call from the token and the current time, so grace period and expiry take
 * effect between syncs; releases the activation on shutdown when configured.
 */
import type { KeyObject } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { LicenseGateShape, LicenseState } from "../../domain/LicenseGate.js"
import { LicenseUnavailable } from "../../domain/LicenseGate.js"
import {
  type ExpectedIdentity,
  identityMismatch,
  licenseState,
  refusalState,
  validateClaims
} from "../../domain/LicenseValidation.js"
import { type ActivationToken, parseActivationToken } from "./ActivationToken.js"
import { activationRequest, type CryptlexApi, type CryptlexFailure } from "./CryptlexApi.js"
import type { LicenseFileError, LicenseFiles } from "./LicenseFiles.js"

/** LexActivator syncs 2 s after start when it starts from a stored token. */
export const FIRST_SYNC_DELAY_SECONDS = 2
/** Tokens without `ssi` need no sync; we still ask hourly so a revocation is seen within the hour. */
export const SYNC_INTERVAL_WITHOUT_SSI_SECONDS = 3600
/** How often the last-seen time is written between syncs (bounds what a crash can lose). */
export const LAST_SEEN_PERSIST_INTERVAL = Duration.minutes(5)

export interface CryptlexLicenseSettings {
  readonly key: string
  readonly productId: string
  readonly productKey: KeyObject
  readonly fingerprint: string
  readonly appVersion: string
  readonly retryIntervalSeconds: number
  readonly deactivateOnShutdown: boolean
  readonly api: CryptlexApi
  readonly files: LicenseFiles
}

interface Machine {
  readonly token: Option.Option<ActivationToken>
  /** A refusal from the server (revoked, invalid key...) that no token overrides. */
  readonly blocked: Option.Option<LicenseState>
  /** Why the last exchange with the server failed, for the detail line. */
  readonly problem: Option.Option<string>
  /** Latest Unix time seen, for the clock-rollback check. */
  readonly lastSeen: number
}

const nowSeconds = Effect.map(Clock.currentTimeMillis, (millis) => Math.floor(millis / 1000))

export const makeCryptlexLicense = (
  settings: CryptlexLicenseSettings
): Effect.Effect<LicenseGateShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { api, files } = settings
    const expected: ExpectedIdentity = { key: settings.key, productId: settings.productId, fingerprint: settings.fingerprint }
    const body = activationRequest(settings.key, settings.productId, settings.fingerprint, settings.appVersion)
    const retry = settings.retryIntervalSeconds

    const verify = (raw: string): Either.Either<ActivationToken, string> =>
      Either.flatMap(parseActivationToken(raw, settings.productKey), (token) => {
        const mismatch = identityMismatch(token.claims, expected)
        return mismatch === undefined ? Either.right(token) : Either.left(mismatch)
      })

    const warnOnFailure = (effect: Effect.Effect<void, LicenseFileError>) =>
      Effect.catchAll(effect, (error) => Effect.logWarning(`license: ${error.message}`))

    const cached = yield* files.readToken
    const fromCache = Option.flatMap(cached, (raw) => Either.getRight(verify(raw)))
    if (Option.isSome(cached) && Option.isNone(fromCache)) {
      const reason = Either.match(verify(cached.value), { onLeft: (why) => why, onRight: () => "" })
      yield* Effect.logWarning(`license: the cached activation token is ignored: ${reason}`)
      yield* warnOnFailure(files.deleteToken)
    }
    const ref = yield* Ref.make<Machine>({
      token: fromCache,
      blocked: Option.none(),
      problem: Option.none(),
      lastSeen: yield* files.readLastSeen
    })
    const lastLogged = yield* Ref.make<string>("")

    const stateOf = (machine: Machine, now: number): LicenseState => {
      if (Option.isSome(machine.blocked)) return machine.blocked.value
      if (Option.isNone(machine.token)) {
        return licenseState("not activated", Option.getOrElse(machine.problem, () => "activation pending"))
      }
      const state = validateClaims(machine.token.value.claims, expected, now, machine.lastSeen)
      return state.status === "ok" && Option.isSome(machine.problem)
        ? { ...state, detail: `${state.detail}; last server sync failed: ${machine.problem.value}` }
        : state
    }

    /** Logs each change of status once (a grace period may run out between two syncs). */
    const logChange = (state: LicenseState) =>
      Effect.flatMap(Ref.getAndSet(lastLogged, state.status), (previous) =>
        previous === state.status
          ? Effect.void
          : state.servesCaptures
          ? Effect.logInfo(state.detail)
          : Effect.logWarning(`${state.detail}; capture endpoints answer NoneBecauseLicenseError`))

    const state: Effect.Effect<LicenseState> = Effect.gen(function*() {
      const now = yield* nowSeconds
      const machine = yield* Ref.getAndUpdate(ref, (m) => ({ ...m, lastSeen: Math.max(m.lastSeen, now) }))
      const current = stateOf(machine, now)
      yield* logChange(current)
      return current
    })

    /** One writer at a time, so that an older time never lands after a newer one. */
    const lastSeenWriter = yield* Effect.makeSemaphore(1)
    const persistLastSeen = lastSeenWriter.withPermits(1)(Effect.gen(function*() {
      const now = yield* nowSeconds
      const machine = yield* Ref.updateAndGet(ref, (m) => ({ ...m, lastSeen: Math.max(m.lastSeen, now) }))
      yield* warnOnFailure(files.writeLastSeen(machine.lastSeen))
    }))

    const dropToken = Effect.zipRight(
      Ref.update(ref, (m) => ({ ...m, token: Option.none() })),
      warnOnFailure(files.deleteToken)
    )

    /** Applies one answer of the server; returns the seconds until the next exchange. */
    const apply = (answer: Either.Either<string, CryptlexFailure>, during: "activation" | "sync"): Effect.Effect<number> =>
      Either.match(answer, {
        onRight: (raw) =>
          Either.match(verify(raw), {
            onLeft: (why) =>
              Effect.gen(function*() {
                yield* Effect.logWarning(`license: the server's activation token is rejected: ${why}`)
                if (during === "activation") {
                  yield* Ref.update(ref, (m) => ({ ...m, blocked: Option.some(licenseState("invalid", why)) }))
                } else {
                  yield* Ref.update(ref, (m) => ({ ...m, problem: Option.some(why) }))
                }
                return retry
              }),
            onRight: (token) =>
              Effect.gen(function*() {
                yield* Ref.update(ref, (m) => ({ ...m, token: Option.some(token), blocked: Option.none(), problem: Option.none() }))
                yield* warnOnFailure(files.writeToken(token.raw))
                yield* persistLastSeen
                return token.claims.ssi > 0 ? token.claims.ssi : SYNC_INTERVAL_WITHOUT_SSI_SECONDS
              })
          }),
        onLeft: (failure) => {
          switch (failure._tag) {
            case "CryptlexRejected":
              return Effect.gen(function*() {
                yield* Effect.logWarning(`license: the server refused the ${during} (HTTP ${failure.status}, ${failure.code})`)
                yield* dropToken
                yield* Ref.update(ref, (m) => ({ ...m, blocked: Option.some(refusalState(failure.code)) }))
                return retry
              })
            case "CryptlexNotFound":
              return during === "sync"
                ? Effect.gen(function*() {
                  yield* Effect.logWarning("license: the activation no longer exists on the server; activating again")
                  yield* dropToken
                  return yield* activate
                })
                : Effect.as(
                  Ref.update(ref, (m) => ({
                    ...m,
                    blocked: Option.some(licenseState("invalid", "the license server does not know the activation endpoint (404)"))
                  })),
                  retry
                )
            case "CryptlexRateLimited":
              return Effect.as(
                Ref.update(ref, (m) => ({ ...m, problem: Option.some("rate limited by the license server") })),
                Math.max(1, Option.getOrElse(failure.retryAfterSeconds, () => retry))
              )
            case "CryptlexUnavailable":
              return Effect.gen(function*() {
                yield* Effect.logWarning(`license: ${during} failed: ${failure.reason}; retrying in ${retry} s`)
                yield* Ref.update(ref, (m) => ({ ...m, problem: Option.some(failure.reason) }))
                return retry
              })
          }
        }
      })

    const activate: Effect.Effect<number> = Effect.suspend(() =>
      Effect.flatMap(Effect.either(api.activate(body)), (answer) => apply(answer, "activation"))
    )

    /** One exchange with the server: sync when activated, else (re)activate. */
    const exchange: Effect.Effect<number> = Effect.gen(function*() {
      const machine = yield* Ref.get(ref)
      const delay = yield* Option.match(machine.token, {
        onNone: () => activate,
        onSome: (token) => Effect.flatMap(Effect.either(api.sync(token.claims.aid, body)), (answer) => apply(answer, "sync"))
      })
      yield* state
      return delay
    })

    const shutdown = Effect.gen(function*() {
      yield* persistLastSeen
      const machine = yield* Ref.get(ref)
      if (!settings.deactivateOnShutdown || Option.isNone(machine.token)) return
      const released = yield* Effect.either(api.deactivate(machine.token.value.claims.aid))
      if (Either.isRight(released) || released.left._tag === "CryptlexNotFound") {
        yield* warnOnFailure(files.deleteToken)
        yield* Effect.logInfo("license: activation released on shutdown")
      } else {
        yield* Effect.logWarning(`license: could not release the activation on shutdown (${released.left._tag})`)
      }
    })

    const firstDelay = Option.isSome(fromCache) ? FIRST_SYNC_DELAY_SECONDS : yield* activate
    yield* state
    yield* Effect.addFinalizer(() => shutdown)
    yield* Effect.forkScoped(
      Effect.iterate(firstDelay, {
        while: () => true,
        body: (delay) => Effect.zipRight(Effect.sleep(Duration.seconds(delay)), exchange)
      })
    )
    yield* Effect.forkScoped(Effect.repeat(persistLastSeen, Schedule.spaced(LAST_SEEN_PERSIST_INTERVAL)))

    return {
      state,
      check: Effect.flatMap(state, (current) =>
        current.servesCaptures ? Effect.void : Effect.fail(new LicenseUnavailable({ state: current })))
    }
  })
