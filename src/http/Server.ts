/**
 * The HTTP server Layer: the HttpApi app behind the access log and the body limit, on Node's
 * http server. It needs the engine, the license gate, the config store and the settings from
 * outside, so that those outlive it: on shutdown the server stops accepting and drains in-flight
 * requests before the engine pool is released.
 */
import { HttpApiBuilder, HttpServer, HttpServerRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { accessLog } from "./AccessLog.js"
import { IadApi } from "./Api.js"
import { rejectOversizedBodies } from "./BodyLimit.js"
import { CaptureHandlersLive } from "./CaptureHandlers.js"
import { LegacyHandlersLive, ManagementHandlersLive } from "./ManagementHandlers.js"
import { messageResponse } from "./Responses.js"

/**
 * Unknown paths and methods: 404 `{message}`. A wildcard route on the API's own router, because
 * a RouteNotFound failure is answered (with an empty body) before any outer middleware sees it.
 */
const NotFoundLive = HttpApiBuilder.Router.use((router) =>
  router.all(
    "*",
    Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
      messageResponse(404, `No endpoint ${request.method} ${request.url.split("?")[0]}`))
  )
)

export const ApiLive = HttpApiBuilder.api(IadApi).pipe(
  Layer.provide([CaptureHandlersLive, ManagementHandlersLive, LegacyHandlersLive, NotFoundLive])
)

/** The app with its middleware, served by whatever HttpServer is provided. */
export const HttpAppLive = HttpApiBuilder.serve((app) => accessLog(rejectOversizedBodies(app))).pipe(
  Layer.provide(ApiLive)
)

export const makeNodeServer = (config: Pick<ServiceConfig, "idle_connection_timeout">) => () =>
  http.createServer({
    keepAliveTimeout: config.idle_connection_timeout * 1000,
    // A slow client may not hold a request open for ever (slowloris); generous for 10M uploads.
    requestTimeout: 120_000,
    headersTimeout: 30_000
  })

export const serverLayer = (config: ServiceConfig) =>
  HttpAppLive.pipe(
    HttpServer.withLogAddress,
    // provideMerge: callers (tests, main) can read the bound address from the HttpServer service.
    Layer.provideMerge(NodeHttpServer.layer(makeNodeServer(config), { port: config.port, host: config.address }))
  )
