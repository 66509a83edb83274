/**
 * Headers every answer carries: `nosniff` (a JSON error is never run as a script or a page),
 * `no-store` on answers with captures' faces or the configuration, and a strict Content Security
 * Policy on the Swagger UI page (its scripts allowed by hash, nothing loaded from elsewhere).
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"

export const DOCS_PATH = "/api/v1/iad/docs"
const NO_STORE_PATHS = new Set(["/api/v1/iad/liveness/evaluate", "/api/v1/iad/extract", "/api/v1/iad/config"])

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)(?:\s[^>]*)?>([\s\S]*?)<\/script>/g

/** CSP for one HTML page: its own inline scripts by hash, inline styles, images from itself or data:. */
export const contentSecurityPolicyOf = (html: string): string => {
  const hashes = [...html.matchAll(INLINE_SCRIPT)]
    .filter((match) => !/type="application\/json"/.test(match[0]))
    .map((match) => `'sha256-${createHash("sha256").update(match[1] ?? "").digest("base64")}'`)
  return [
    "default-src 'none'",
    `script-src ${hashes.join(" ") || "'none'"}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; ")
}

const htmlOf = (response: HttpServerResponse.HttpServerResponse): string | undefined =>
  response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : undefined

export const securityHeaders = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = request.url.split("?")[0] ?? request.url
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.sync(() => {
        let headers: Record<string, string> = { "x-content-type-options": "nosniff" }
        if (NO_STORE_PATHS.has(path)) headers = { ...headers, "cache-control": "no-store" }
        if (path === DOCS_PATH) {
          const html = htmlOf(response)
          headers = { ...headers, "content-security-policy": html === undefined ? "default-src 'none'" : contentSecurityPolicyOf(html) }
        }
        return HttpServerResponse.setHeaders(response, headers)
      })
    )
    return yield* app
  })
)
