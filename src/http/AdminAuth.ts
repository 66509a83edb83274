/**
 * Who may change the configuration: with `FACEPHI_IAD_ADMIN_TOKEN` set, a matching
 * `Authorization: Bearer <token>` (compared in constant time); without it, loopback clients only.
 */
import type { HttpServerRequest } from "@effect/platform"
import { Context, Option, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"

export const ADMIN_TOKEN_VARIABLE = "FACEPHI_IAD_ADMIN_TOKEN"

export class AdminToken extends Context.Tag("iad/AdminToken")<AdminToken, Option.Option<Redacted.Redacted<string>>>() {}

export const adminTokenFromEnv = (env: Readonly<Record<string, string | undefined>>) =>
  Option.map(Option.fromNullable(env[ADMIN_TOKEN_VARIABLE]).pipe(Option.filter((token) => token !== "")), Redacted.make)

export type AdminDecision =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Denied"; readonly status: 401 | 403; readonly message: string }

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())

export const isLoopback = (address: string): boolean =>
  address === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)

export const authorizeAdmin = (
  request: HttpServerRequest.HttpServerRequest,
  token: Option.Option<Redacted.Redacted<string>>
): AdminDecision => {
  if (Option.isNone(token)) {
    const address = Option.getOrElse(request.remoteAddress, () => "")
    return isLoopback(address)
      ? { _tag: "Allowed" }
      : {
        _tag: "Denied",
        status: 403,
        message: `Configuration changes are accepted only from loopback clients unless ${ADMIN_TOKEN_VARIABLE} is set`
      }
  }
  const header = request.headers["authorization"] ?? ""
  const match = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (match === null) {
    return { _tag: "Denied", status: 401, message: "Missing Authorization: Bearer <admin token>" }
  }
  return sameSecret(match[1]!, Redacted.value(token.value))
    ? { _tag: "Allowed" }
    : { _tag: "Denied", status: 403, message: "Invalid admin token" }
}
