/**
 * Client of the Cryptlex Web API v3 activation endpoints, on @effect/platform's HttpClient.
 * Answers are sorted the way LexActivator sorts them: a token, a refusal with a code (400 and
 * other 4xx), activation gone (404), rate limited (429 + Retry-After), or unavailable (network,
 * timeout, 5xx, unreadable answer). Server messages are not kept: only codes reach logs.
 */
import { createHash } from "node:crypto"
import { hostname, platform, release, userInfo } from "node:os"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export class CryptlexRejected extends Data.TaggedError("CryptlexRejected")<{
  readonly status: number
  readonly code: string
}> {}
export class CryptlexNotFound extends Data.TaggedError("CryptlexNotFound")<{}> {}
export class CryptlexRateLimited extends Data.TaggedError("CryptlexRateLimited")<{
  /** Seconds the server asked to wait, when it said. */
  readonly retryAfterSeconds: Option.Option<number>
}> {}
export class CryptlexUnavailable extends Data.TaggedError("CryptlexUnavailable")<{
  readonly reason: string
}> {}
export type CryptlexFailure = CryptlexRejected | CryptlexNotFound | CryptlexRateLimited | CryptlexUnavailable

/** The activation body (`POST /v3/activations`, same for `PATCH /v3/activations/{id}`). */
export interface ActivationRequest {
  readonly key: string
  readonly productId: string
  readonly fingerprint: string
  readonly hostname: string
  readonly os: string
  readonly osVersion: string
  readonly vmName: string
  readonly userHash: string
  readonly appVersion: string
  readonly metadata: ReadonlyArray<{ readonly key: string; readonly value: string }>
  readonly meterAttributes: ReadonlyArray<never>
}

const osName = (): string => (platform() === "darwin" ? "macos" : platform() === "win32" ? "windows" : "linux")

/** Services in containers may run as a uid without a passwd entry: hash the uid then. */
const userName = (): string => {
  try {
    return userInfo().username
  } catch {
    return `uid-${process.getuid?.() ?? "unknown"}`
  }
}

export const activationRequest = (key: string, productId: string, fingerprint: string, appVersion: string): ActivationRequest => ({
  key,
  productId,
  fingerprint,
  hostname: hostname(),
  os: osName(),
  osVersion: release(),
  vmName: "",
  userHash: createHash("sha256").update(userName()).digest("hex"),
  appVersion,
  metadata: [],
  meterAttributes: []
})

const TokenAnswer = Schema.parseJson(Schema.Struct({ activationToken: Schema.String.pipe(Schema.minLength(1)) }))
const ErrorAnswer = Schema.parseJson(Schema.Struct({ code: Schema.String }))
const decodeToken = Schema.decodeUnknownEither(TokenAnswer)
const decodeError = Schema.decodeUnknownEither(ErrorAnswer)

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3). */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<number> => {
  if (value === undefined || value.trim() === "") return Option.none()
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Number(trimmed))
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? Option.none() : Option.some(Math.max(0, Math.ceil((at - nowMillis) / 1000)))
}

export interface CryptlexApi {
  readonly activate: (body: ActivationRequest) => Effect.Effect<string, CryptlexFailure>
  readonly sync: (activationId: string, body: ActivationRequest) => Effect.Effect<string, CryptlexFailure>
  readonly deactivate: (activationId: string) => Effect.Effect<void, CryptlexFailure>
}

/**
 * Request timeouts are measured on the wall clock, not on the fiber's Clock: a hung server must
 * time out also when a TestClock drives the license schedule.
 */
const wallClock = Clock.make()

export const makeCryptlexApi = (host: string, requestTimeoutSeconds: number) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const base = `${host.replace(/\/+$/, "")}/v3/activations`

    const classify = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string, CryptlexFailure> =>
      Effect.gen(function*() {
        const text = yield* Effect.mapError(response.text, () => new CryptlexUnavailable({ reason: "the answer could not be read" }))
        const status = response.status
        if (status >= 200 && status < 300) return text
        if (status === 404) return yield* new CryptlexNotFound()
        if (status === 429) {
          const now = yield* Clock.currentTimeMillis
          return yield* new CryptlexRateLimited({ retryAfterSeconds: parseRetryAfter(response.headers["retry-after"], now) })
        }
        if (status >= 400 && status < 500) {
          const code = Either.match(decodeError(text), { onLeft: () => `HTTP_${status}`, onRight: (answer) => answer.code })
          return yield* new CryptlexRejected({ status, code })
        }
        return yield* new CryptlexUnavailable({ reason: `the license server answered HTTP ${status}` })
      })

    const send = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string, CryptlexFailure> =>
      client.execute(request).pipe(
        Effect.mapError((error) => new CryptlexUnavailable({ reason: `the license server is unreachable (${error.reason})` })),
        Effect.flatMap(classify),
        Effect.scoped,
        Effect.timeoutFail({
          duration: Duration.seconds(requestTimeoutSeconds),
          onTimeout: () => new CryptlexUnavailable({ reason: `the license server did not answer within ${requestTimeoutSeconds} s` })
        }),
        Effect.withClock(wallClock)
      )

    const token = (text: string): Effect.Effect<string, CryptlexUnavailable> =>
      Either.match(decodeToken(text), {
        onLeft: () => Effect.fail(new CryptlexUnavailable({ reason: "the license server answer carries no activation token" })),
        onRight: (answer) => Effect.succeed(answer.activationToken)
      })

    const withBody = (request: HttpClientRequest.HttpClientRequest, body: ActivationRequest) =>
      request.pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUnsafeJson(body))

    const api: CryptlexApi = {
      activate: (body) => Effect.flatMap(send(withBody(HttpClientRequest.post(base), body)), token),
      sync: (activationId, body) =>
        Effect.flatMap(send(withBody(HttpClientRequest.patch(`${base}/${encodeURIComponent(activationId)}`), body)), token),
      deactivate: (activationId) => Effect.asVoid(send(HttpClientRequest.del(`${base}/${encodeURIComponent(activationId)}`)))
    }
    return api
  })
