/**
 * What browsers load, outside the JSON contract (so not in the HttpApi document):
 * - `GET /api/v1/iad/sdk/iad-capture.js`: the browser capture SDK, as built at install;
 *   503 `{message}` when the bundle is missing.
 * - the demo (docs/web.md), only while `demo.enabled` (else 404 like any unknown path):
 *   `GET /api/v1/iad/demo` (page), `/demo/demo.js`, `/demo/demo.css`, and
 *   `POST /api/v1/iad/demo/session`, which issues a session to loopback clients only.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { join } from "node:path"
import { issueSession, SessionSigner } from "../domain/Sessions.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { DEMO_DIR, readOptionalFile, SDK_BUNDLE_PATH, servicePublicKeyPem } from "../infra/sessions/WebAssets.js"
import { messageResponse } from "./Responses.js"
import { issuedBody } from "./SessionHandlers.js"

export const SDK_PATH = "/api/v1/iad/sdk/iad-capture.js"
export const DEMO_PATH = "/api/v1/iad/demo"
export const DEMO_SESSION_PATH = "/api/v1/iad/demo/session"

/**
 * The demo page's policy: its own scripts and styles only (the SDK is one of them), camera frames
 * drawn to canvases, requests to the service itself, no framing.
 */
export const DEMO_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

const DEMO_ASSETS: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  [DEMO_PATH]: { file: "demo.html", type: "text/html; charset=utf-8" },
  [`${DEMO_PATH}/demo.js`]: { file: "demo.js", type: "text/javascript; charset=utf-8" },
  [`${DEMO_PATH}/demo.css`]: { file: "demo.css", type: "text/css; charset=utf-8" }
}

const notFound = (method: string, path: string) => messageResponse(404, `No endpoint ${method} ${path}`)

const LOOPBACK_ADDRESS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?$/i

/**
 * A request from this machine, to this machine, not relayed: the peer is a loopback address, no
 * proxy header says it came from elsewhere, the Host is a loopback name (a foreign site cannot
 * reach it through DNS rebinding), and a browser's Origin, if any, is that same host.
 */
export const isLoopbackRequest = (request: {
  readonly address: string
  readonly headers: Readonly<Record<string, string | undefined>>
}): boolean => {
  const { headers } = request
  const host = headers["host"] ?? ""
  const origin = headers["origin"]
  return LOOPBACK_ADDRESS.test(request.address) &&
    headers["x-forwarded-for"] === undefined &&
    headers["forwarded"] === undefined &&
    LOOPBACK_HOST.test(host) &&
    (origin === undefined || origin === `http://${host}` || origin === `https://${host}`)
}

const pathOf = (request: HttpServerRequest.HttpServerRequest) => request.url.split("?")[0] ?? request.url

export const WebRoutesLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const store = yield* ConfigStore
    const signer = yield* SessionSigner

    yield* router.get(
      SDK_PATH,
      Effect.map(readOptionalFile(SDK_BUNDLE_PATH), (bundle) =>
        bundle === undefined
          ? messageResponse(503, "The browser SDK is not built: run npm run build:sdk (npm ci does)")
          : HttpServerResponse.uint8Array(bundle, {
            contentType: "text/javascript; charset=utf-8",
            // Integrators' pages on other origins import it as a module: a CORS fetch.
            headers: { "access-control-allow-origin": "*", "cache-control": "no-cache" }
          }))
    )

    const demoAsset = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = pathOf(request)
      const config = yield* store.current
      const asset = DEMO_ASSETS[path]
      if (!config.demo.enabled || asset === undefined) return notFound("GET", path)
      const bytes = yield* readOptionalFile(join(DEMO_DIR, asset.file))
      if (bytes === undefined) return messageResponse(503, `The demo asset ${asset.file} is missing from this installation`)
      return HttpServerResponse.uint8Array(bytes, {
        contentType: asset.type,
        headers: {
          "content-security-policy": DEMO_CONTENT_SECURITY_POLICY,
          "permissions-policy": "camera=(self)",
          "cache-control": "no-cache"
        }
      })
    })
    for (const path of Object.keys(DEMO_ASSETS)) yield* router.get(path as `/${string}`, demoAsset)

    yield* router.post(
      DEMO_SESSION_PATH,
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const config = yield* store.current
        if (!config.demo.enabled) return notFound("POST", DEMO_SESSION_PATH)
        const address = Option.getOrElse(request.remoteAddress, () => "")
        if (!isLoopbackRequest({ address, headers: request.headers })) {
          yield* Effect.logWarning("demo session refused: not a loopback request").pipe(Effect.annotateLogs({ client: address }))
          return messageResponse(403, "The demo issues sessions to this machine only")
        }
        const servicePublicKey = yield* servicePublicKeyPem(config.keys_dir)
        if (servicePublicKey === undefined) {
          return messageResponse(503, "The demo needs the native engine's keys (engine \"native\", keys_dir with service.pub)")
        }
        // No origin binding: the demo page is this service's own.
        const issued = yield* issueSession({}, config.sessions).pipe(
          Effect.provideService(SessionSigner, signer),
          Effect.orDie
        )
        return HttpServerResponse.unsafeJson(
          { ...issuedBody(issued), servicePublicKey },
          { status: 201, headers: { "cache-control": "no-store" } }
        )
      })
    )
  })
)
