/**
 * The HTTP server Layer: the HttpApi app behind the access log, the security headers and the body
 * limit, on Node's http server. It needs the engine, the license gate, the config store and the settings from
 * outside, so that those outlive it: on shutdown the server stops accepting and drains in-flight
 * requests before the engine pool is released.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { accessLog } from "./AccessLog.js"
import { AdminAuthorizationLive } from "./AdminAuth.js"
import { IadApi } from "./Api.js"
import { rejectOversizedBodies } from "./BodyLimit.js"
import { CaptureHandlersLive } from "./CaptureHandlers.js"
import { AdminHandlersLive, LegacyHandlersLive, ManagementHandlersLive } from "./ManagementHandlers.js"
import { nodeServerLayer } from "./NodeServer.js"
import { messageResponse } from "./Responses.js"
import { DOCS_PATH, securityHeaders } from "./SecurityHeaders.js"
import { SessionHandlersLive } from "./SessionHandlers.js"
import { WebRoutesLive } from "./WebRoutes.js"

/**
 * Unknown paths and methods: 404 `{message}`. A wildcard route on the API's own router, because
 * a RouteNotFound failure is answered (with an empty body) before any outer middleware sees it.
 */
const notFound = Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
  messageResponse(404, `No endpoint ${request.method} ${request.url.split("?")[0]}`))

/**
 * Every method but HEAD: the router answers a HEAD with the GET route of the path when it finds
 * no HEAD route, and a wildcard HEAD route would be found first. (An unknown HEAD is a bodiless 404.)
 */
const NOT_FOUND_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const

const NotFoundLive = HttpApiBuilder.Router.use((router) =>
  Effect.forEach(
    NOT_FOUND_METHODS,
    (method) => router.addRoute(HttpRouter.makeRoute(method, "*", notFound)),
    { discard: true }
  )
)

/** Swagger UI for the OpenAPI document; its assets are embedded in @effect/platform (no CDN). */
const DocsLive = HttpApiSwagger.layer({ path: DOCS_PATH })

export const ApiLive = HttpApiBuilder.api(IadApi).pipe(
  Layer.provide([CaptureHandlersLive, ManagementHandlersLive, AdminHandlersLive, LegacyHandlersLive, NotFoundLive]),
  // Sessions (HttpApi) and the SDK and demo routes (outside the JSON contract): docs/web.md.
  Layer.provide([SessionHandlersLive, WebRoutesLive]),
  Layer.provide(AdminAuthorizationLive)
)

/** The app with its middleware, served by whatever HttpServer is provided. */
export const HttpAppLive = HttpApiBuilder.serve((app) => accessLog(securityHeaders(rejectOversizedBodies(app)))).pipe(
  Layer.provide(DocsLive),
  Layer.provide(ApiLive)
)

export const serverLayer = (config: ServiceConfig) =>
  HttpAppLive.pipe(
    HttpServer.withLogAddress,
    // provideMerge: callers (tests, main) can read the bound address from the HttpServer service.
    Layer.provideMerge(nodeServerLayer(config))
  )
