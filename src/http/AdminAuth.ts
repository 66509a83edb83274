/**
 * Who may read or change the configuration: a client with `Authorization: Bearer <admin token>`,
 * whatever its address (a reverse proxy on the same host makes every client look local). The
 * token is `FACEPHI_IAD_ADMIN_TOKEN` or, when that is unset, the one generated into
 * `<keys_dir>/admin.token` (src/infra/AdminTokenFile.ts).
 *
 * Also refused: any request carrying an `Origin` header (a browser page; admin is for tools and
 * scripts, so no origin is allowed and a cross-site form post can never pass), and a client that
 * sent too many wrong tokens (AdminThrottle).
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type Env, readFromEnv } from "../domain/EnvironmentConfig.js"
import { createHash, timingSafeEqual } from "node:crypto"
import { failWithHeaders, Forbidden, retryAfter, TooManyRequests, Unauthorized } from "./ApiErrors.js"
import { type BadTokenThrottle, makeBadTokenThrottle } from "./AdminThrottle.js"

export const ADMIN_TOKEN_VARIABLE = "FACEPHI_IAD_ADMIN_TOKEN"

/** The admin token in force (from the environment or the generated file). */
export class AdminToken extends Context.Tag("iad/AdminToken")<AdminToken, Redacted.Redacted<string>>() {}

/** The token from the environment, when set and not empty (never logged: it stays Redacted). */
export const adminTokenConfig: Config.Config<Option.Option<Redacted.Redacted<string>>> = Config.option(
  Config.redacted(ADMIN_TOKEN_VARIABLE)
).pipe(Config.map(Option.filter((token) => Redacted.value(token) !== "")))

export const adminTokenFromEnv = (env: Env): Option.Option<Redacted.Redacted<string>> =>
  Either.getOrElse(readFromEnv(adminTokenConfig, env), () => Option.none())

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())

export type AdminDecision =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "MissingToken" }
  | { readonly _tag: "WrongToken" }
  | { readonly _tag: "ForeignOrigin"; readonly origin: string }
  | { readonly _tag: "LockedOut"; readonly waitMs: number }

export interface AdminRequest {
  readonly address: string
  readonly authorization: string | undefined
  readonly origin: string | undefined
}

/** The decision for one request; records the outcome in the throttle. */
export const decideAdmin = (
  request: AdminRequest,
  token: Redacted.Redacted<string>,
  throttle: BadTokenThrottle,
  now: number
): AdminDecision => {
  if (request.origin !== undefined) return { _tag: "ForeignOrigin", origin: request.origin }
  const waitMs = throttle.lockedFor(request.address, now)
  if (waitMs > 0) return { _tag: "LockedOut", waitMs }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.authorization ?? "")
  if (match === null) return { _tag: "MissingToken" }
  if (!sameSecret(match[1]!, Redacted.value(token))) {
    throttle.recordFailure(request.address, now)
    return { _tag: "WrongToken" }
  }
  throttle.recordSuccess(request.address)
  return { _tag: "Allowed" }
}

const bearer = HttpApiSecurity.bearer.pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "The admin token: FACEPHI_IAD_ADMIN_TOKEN, or the one generated into <keys_dir>/admin.token (mode 0600) when that is unset"
  )
)

export class AdminAuthorization extends HttpApiMiddleware.Tag<AdminAuthorization>()("iad/AdminAuthorization", {
  failure: Schema.Union(Unauthorized, Forbidden, TooManyRequests),
  security: { adminToken: bearer }
}) {}

export const AdminAuthorizationLive = Layer.effect(
  AdminAuthorization,
  Effect.gen(function*() {
    const token = yield* AdminToken
    const throttle = makeBadTokenThrottle()
    return AdminAuthorization.of({
      // The platform's bearer decoding cannot tell a missing header from another scheme: read it here.
      adminToken: () =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const address = Option.getOrElse(request.remoteAddress, () => "")
          const now = yield* Clock.currentTimeMillis
          const decision = decideAdmin(
            { address, authorization: request.headers["authorization"], origin: request.headers["origin"] },
            token,
            throttle,
            now
          )
          switch (decision._tag) {
            case "Allowed":
              return
            case "MissingToken":
              return yield* failWithHeaders(
                new Unauthorized({ message: "Missing Authorization: Bearer <admin token>" }),
                { "www-authenticate": "Bearer" }
              )
            case "WrongToken":
              yield* Effect.logWarning("wrong admin token").pipe(Effect.annotateLogs({ client: address }))
              return yield* Effect.fail(new Forbidden({ message: "Invalid admin token" }))
            case "ForeignOrigin":
              return yield* Effect.fail(
                new Forbidden({
                  message: `Admin requests from browser pages are refused (Origin ${JSON.stringify(decision.origin.slice(0, 100))})`
                })
              )
            case "LockedOut": {
              const seconds = Math.ceil(decision.waitMs / 1000)
              return yield* failWithHeaders(
                new TooManyRequests({ message: `Too many wrong admin tokens from this client; retry after ${seconds} s` }),
                retryAfter(seconds)
              )
            }
          }
        })
    })
  })
)
