/**
 * The Node server under the app: plain HTTP, or HTTPS when a `tls` section is configured, with
 * what Node does not do by itself:
 * - every answer it would give on its own (parser errors, timeouts, unknown `Expect`) is `{message}`;
 * - a request whose URL path does not decode is answered 400 (the router would answer an empty 404);
 * - `request_timeout` bounds headers and body together, checked every second (Node's default
 *   check runs every 30 s, so a 1 byte/s body lived for minutes);
 * - uploads reserve their bytes in a global budget before their body is read (`UploadBudget`);
 * - connection limits that evict idle connections first (`ConnectionLimits`);
 * - a draining close: on shutdown, `Connection: close`, idle connections closed at once, in-flight
 *   requests answered, whatever is left cut after the drain timeout.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as http from "node:http"
import * as https from "node:https"
import type { Socket } from "node:net"
import type { Duplex } from "node:stream"
import { parseByteSize } from "../domain/ByteSize.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { ConnectionLimits, effectiveMaxConnections, openFileLimit } from "./ConnectionLimits.js"
import { reclaimAfterBursts } from "./MemoryReclaim.js"
import { answerOnResponse, answerOnSocket, clientErrorAnswer, hasDecodableUrl } from "./RawAnswers.js"
import { httpsOptions, loadTlsMaterial, reloadOnHangup, type TlsMaterial } from "./TlsContext.js"
import { bytesToReserve, UploadBudget } from "./UploadBudget.js"

/** Longest wait for in-flight requests at shutdown before remaining connections are cut. */
const DRAIN_TIMEOUT_MS = 30_000
const IDLE_SWEEP_MS = 50
/** How often Node looks for requests past `request_timeout`: the timeout is exact to this much. */
const TIMEOUT_CHECK_MS = 1000
/** What a client refused for the upload budget is told to wait, seconds. */
const BUDGET_RETRY_AFTER_S = 1
/** A flood of refusals logs one line per this interval, with the count. */
const REFUSAL_LOG_INTERVAL_MS = 10_000

type NodeServerConfig = Pick<
  ServiceConfig,
  "idle_connection_timeout" | "max_connections" | "max_connections_per_ip" | "request_timeout"
>

/** What the server needs to know per request, read from the live configuration. */
export interface LiveLimits {
  readonly bodyLimit: () => number | undefined
  readonly uploadBudget: () => number | undefined
  /** Where the server reports what the operator should know (the service log). */
  readonly warn: (message: string) => void
}

const byteSize = (text: string): number | undefined => Either.getOrUndefined(parseByteSize(text))

/** The behaviour shared by the HTTP and HTTPS servers, installed on either. */
class Guards {
  readonly connections: ConnectionLimits
  readonly budget: UploadBudget
  closing = false
  /** Requests already let through (an `Expect: 100-continue` one passes the guards before its 'request' event). */
  private readonly admitted = new WeakSet<http.IncomingMessage>()
  private refusedSinceLog = 0
  private lastRefusalLog = 0

  constructor(readonly config: NodeServerConfig, readonly limits: LiveLimits, readonly maxConnections: number) {
    this.connections = new ConnectionLimits(maxConnections, config.max_connections_per_ip)
    this.budget = new UploadBudget(limits.uploadBudget, reclaimAfterBursts())
  }

  install(server: http.Server | https.Server, connectionEvent: "connection" | "secureConnection"): void {
    server.on(connectionEvent, (socket: Socket) => this.connections.admit(socket))
    server.on("clientError", (error: Error, socket: Duplex) => this.onClientError(error, socket))
    // Without this listener Node sends `100 Continue` at once: the budget is checked first, so a
    // refused client (curl sends the header for bodies over 1 MB) never sends its body at all.
    server.on("checkContinue", (request: http.IncomingMessage, response: http.ServerResponse) => {
      if (!this.admitRequest(request, response)) return
      response.writeContinue()
      server.emit("request", request, response)
    })
    server.on("checkExpectation", (request: http.IncomingMessage, response: http.ServerResponse) => {
      request.resume()
      answerOnResponse(response, 417, `Unsupported Expect header ${JSON.stringify(request.headers.expect)}`)
    })
  }

  private onClientError(error: Error & { code?: string }, socket: Duplex): void {
    // A reset or a write after the end: nobody is left to answer.
    if (error.code === "ECONNRESET" || !socket.writable) return void socket.destroy()
    const answer = clientErrorAnswer(error, this.config.request_timeout)
    // Mid-answer (headers already sent) a second status line would corrupt the stream.
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage
    if (inFlight?.headersSent === true) return void socket.destroy()
    answerOnSocket(socket, answer.status, answer.message)
  }

  /** False when the request was answered here and must not reach the app. */
  admitRequest(request: http.IncomingMessage, response: http.ServerResponse): boolean {
    if (this.admitted.has(request)) return true
    this.connections.track(request, response)
    if (this.closing) response.setHeader("connection", "close")
    if (!hasDecodableUrl(request.url)) {
      request.resume()
      answerOnResponse(response, 400, "The request URL has an invalid %-encoding")
      return false
    }
    const release = this.budget.reserve(bytesToReserve(request.headers, this.limits.bodyLimit()))
    if (release === undefined) {
      this.reportRefusal()
      // Drained unread, so the client gets the answer instead of a reset.
      request.resume()
      answerOnResponse(response, 503, "Too many uploads in progress; retry shortly", {
        "retry-after": String(BUDGET_RETRY_AFTER_S)
      })
      return false
    }
    response.once("close", release)
    this.admitted.add(request)
    return true
  }

  private reportRefusal(): void {
    this.refusedSinceLog++
    const now = Date.now()
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return
    this.limits.warn(
      `max_upload_bytes_in_flight reached (${this.budget.bytesHeld} bytes held): ${this.refusedSinceLog} upload(s) answered 503`
    )
    this.lastRefusalLog = now
    this.refusedSinceLog = 0
  }

  startDraining(server: http.Server | https.Server): void {
    if (this.closing) return
    this.closing = true
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS)
    deadline.unref()
    server.once("close", () => {
      clearInterval(sweep)
      clearTimeout(deadline)
    })
  }
}

class GuardedHttpServer extends http.Server {
  constructor(options: http.ServerOptions, private readonly guards: Guards) {
    super(options)
    guards.install(this, "connection")
  }

  override emit(event: string, ...args: Array<unknown>): boolean {
    if (event === "request" && !this.guards.admitRequest(args[0] as http.IncomingMessage, args[1] as http.ServerResponse)) {
      return true
    }
    return super.emit(event, ...args)
  }

  override close(callback?: (error?: Error) => void): this {
    this.guards.startDraining(this)
    super.close(callback)
    this.closeIdleConnections()
    return this
  }
}

class GuardedHttpsServer extends https.Server {
  constructor(options: https.ServerOptions, private readonly guards: Guards) {
    super(options)
    guards.install(this, "secureConnection")
  }

  override emit(event: string, ...args: Array<unknown>): boolean {
    if (event === "request" && !this.guards.admitRequest(args[0] as http.IncomingMessage, args[1] as http.ServerResponse)) {
      return true
    }
    return super.emit(event, ...args)
  }

  override close(callback?: (error?: Error) => void): this {
    this.guards.startDraining(this)
    super.close(callback)
    this.closeIdleConnections()
    return this
  }
}

/** Node's timeouts from the config: `request_timeout` for headers and body alike. */
const timeoutOptions = (config: NodeServerConfig): http.ServerOptions => {
  const requestTimeout = Math.max(1, Math.round(config.request_timeout * 1000))
  return {
    keepAliveTimeout: config.idle_connection_timeout * 1000,
    requestTimeout,
    headersTimeout: requestTimeout,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, requestTimeout)
  }
}

export const makeNodeServer = (
  config: NodeServerConfig,
  limits: LiveLimits,
  tls?: { readonly options: https.ServerOptions }
): GuardedHttpServer | GuardedHttpsServer => {
  const guards = new Guards(config, limits, effectiveMaxConnections(config.max_connections, openFileLimit()))
  if (tls === undefined) return new GuardedHttpServer(timeoutOptions(config), guards)
  return new GuardedHttpsServer({
    ...timeoutOptions(config),
    ...tls.options,
    // A TLS handshake is part of the request's time too (Node's default is 120 s).
    handshakeTimeout: Math.max(1, Math.round(config.request_timeout * 1000))
  }, guards)
}

/** The server Layer: reads the certificates (failing start-up naming a bad file), listens, reloads on SIGHUP. */
export const nodeServerLayer = (config: ServiceConfig) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const store = yield* ConfigStore
    const live = () => Effect.runSync(store.current)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const limits: LiveLimits = {
      bodyLimit: () => byteSize(live().client_max_body_size),
      uploadBudget: () => byteSize(live().max_upload_bytes_in_flight),
      warn: (message) => void runFork(Effect.logWarning(message))
    }
    const maxConnections = effectiveMaxConnections(config.max_connections, openFileLimit())
    if (maxConnections > 0 && (config.max_connections === 0 || maxConnections < config.max_connections)) {
      yield* Effect.logWarning(`max_connections: ${maxConnections} in effect (the process may open ${openFileLimit()} files)`)
    }
    const listen = { port: config.port, host: config.address }
    if (config.tls === undefined) return NodeHttpServer.layer(() => makeNodeServer(config, limits), listen)
    const tlsConfig = config.tls
    const material: TlsMaterial = yield* loadTlsMaterial(tlsConfig)
    const server = makeNodeServer(config, limits, { options: httpsOptions(tlsConfig, material) })
    yield* reloadOnHangup(server as GuardedHttpsServer, tlsConfig)
    yield* Effect.logInfo("tls: serving HTTPS (TLS 1.2 at least); SIGHUP reloads the certificates").pipe(
      Effect.annotateLogs({ certFile: tlsConfig.cert_file, clientCertificates: tlsConfig.ca_file !== undefined })
    )
    // https.Server serves the same 'request' events as http.Server, which is all the platform uses.
    return NodeHttpServer.layer(() => server as unknown as http.Server, listen)
  }))
