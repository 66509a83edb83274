/**
 * The HTTP server Layer: the HttpApi app behind the access log, the security headers and the body
 * limit, on Node's http server. It needs the engine, the license gate, the config store and the settings from
 * outside, so that those outlive it: on shutdown the server stops accepting and drains in-flight
 * requests before the engine pool is released.
 */
import { HttpApiBuilder, HttpApiSwagger, HttpRouter, HttpServer, HttpServerRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import type { Socket } from "node:net"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { accessLog } from "./AccessLog.js"
import { AdminAuthorizationLive } from "./AdminAuth.js"
import { IadApi } from "./Api.js"
import { rejectOversizedBodies } from "./BodyLimit.js"
import { CaptureHandlersLive } from "./CaptureHandlers.js"
import { AdminHandlersLive, LegacyHandlersLive, ManagementHandlersLive } from "./ManagementHandlers.js"
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

/** Longest wait for in-flight requests at shutdown before remaining connections are cut. */
const DRAIN_TIMEOUT_MS = 30_000
const IDLE_SWEEP_MS = 50

/**
 * Node's `close()` stops accepting but keeps keep-alive connections open until they time out.
 * On close this server also answers `Connection: close`, closes connections as soon as they are
 * idle, and cuts whatever is left after the drain timeout, so shutdown waits for in-flight
 * requests and nothing else.
 */
class DrainingServer extends http.Server {
  private closing = false
  private readonly connectionsByAddress = new Map<string, number>()

  constructor(options: http.ServerOptions, limits: ConnectionLimits) {
    super(options)
    // Node closes connections past `maxConnections` itself (0 would refuse all: unset it instead).
    if (limits.max_connections > 0) this.maxConnections = limits.max_connections
    if (limits.max_connections_per_ip > 0) {
      this.on("connection", (socket: Socket) => this.limitPerAddress(socket, limits.max_connections_per_ip))
    }
    this.on("request", (_request: http.IncomingMessage, response: http.ServerResponse) => {
      if (this.closing) response.setHeader("connection", "close")
    })
  }

  /** Drogon's `max_connections_per_ip`: a client over its share is closed before any request. */
  private limitPerAddress(socket: Socket, limit: number): void {
    const address = socket.remoteAddress ?? ""
    const open = (this.connectionsByAddress.get(address) ?? 0) + 1
    if (open > limit) {
      socket.destroy()
      return
    }
    this.connectionsByAddress.set(address, open)
    socket.once("close", () => {
      const left = (this.connectionsByAddress.get(address) ?? 1) - 1
      if (left <= 0) this.connectionsByAddress.delete(address)
      else this.connectionsByAddress.set(address, left)
    })
  }

  override close(callback?: (error?: Error) => void): this {
    if (!this.closing) {
      this.closing = true
      const sweep = setInterval(() => this.closeIdleConnections(), IDLE_SWEEP_MS)
      const deadline = setTimeout(() => this.closeAllConnections(), DRAIN_TIMEOUT_MS)
      deadline.unref()
      this.once("close", () => {
        clearInterval(sweep)
        clearTimeout(deadline)
      })
    }
    super.close(callback)
    this.closeIdleConnections()
    return this
  }
}

type ConnectionLimits = Pick<ServiceConfig, "max_connections" | "max_connections_per_ip">

export const makeNodeServer =
  (config: Pick<ServiceConfig, "idle_connection_timeout" | "max_connections" | "max_connections_per_ip">) => () =>
    new DrainingServer({
      keepAliveTimeout: config.idle_connection_timeout * 1000,
      // A slow client may not hold a request open for ever (slowloris); generous for 10M uploads.
      requestTimeout: 120_000,
      headersTimeout: 30_000
    }, config)

export const serverLayer = (config: ServiceConfig) =>
  HttpAppLive.pipe(
    HttpServer.withLogAddress,
    // provideMerge: callers (tests, main) can read the bound address from the HttpServer service.
    Layer.provideMerge(NodeHttpServer.layer(makeNodeServer(config), { port: config.port, host: config.address }))
  )
