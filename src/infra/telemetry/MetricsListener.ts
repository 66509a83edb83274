/**
 * The Prometheus listener: `GET /metrics` on `metrics_address:metrics_port`, a server of its own
 * so that metrics are never served on the public port. Effect metrics (the domain's, the access
 * log's, the engine slots') reach the OpenTelemetry Prometheus exporter through
 * @effect/opentelemetry's metric producer; the exporter formats the text.
 */
import * as Metrics from "@effect/opentelemetry/Metrics"
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as http from "node:http"
import type { LicenseGate } from "../../domain/LicenseGate.js"
import { refreshLicenseMetrics } from "./LicenseMetrics.js"
import { telemetryResourceLayer } from "./TelemetryResource.js"

export const METRICS_PATH = "/metrics"

export interface MetricsListenerOptions {
  readonly port: number
  readonly address: string
  readonly serviceVersion: string
}

/** The metrics port could not be bound (in use, address not local): startup stops, naming it. */
export class MetricsListenFailed extends Data.TaggedError("MetricsListenFailed")<{
  readonly address: string
  readonly port: number
  readonly detail: string
}> {
  override get message(): string {
    return `metrics listener on ${this.address}:${this.port}: ${this.detail}`
  }
}

const notFound = (response: http.ServerResponse): void => {
  response.statusCode = 404
  response.setHeader("content-type", "text/plain; charset=utf-8")
  response.end(`Only GET ${METRICS_PATH} here\n`)
}

const listen = (server: http.Server, options: MetricsListenerOptions) =>
  Effect.async<void, MetricsListenFailed>((resume) => {
    const onError = (error: Error) =>
      resume(Effect.fail(new MetricsListenFailed({ address: options.address, port: options.port, detail: error.message })))
    server.once("error", onError)
    server.listen(options.port, options.address, () => {
      server.off("error", onError)
      resume(Effect.void)
    })
  })

const close = (server: http.Server) =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

/** The listener, bound before the Layer is built; closed when its scope ends. */
const serveMetrics = (exporter: PrometheusExporter, options: MetricsListenerOptions) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<LicenseGate>()
    const refresh = Runtime.runPromise(runtime)
    const server = http.createServer((request, response) => {
      const path = (request.url ?? "").split("?")[0]
      if (path !== METRICS_PATH || (request.method !== "GET" && request.method !== "HEAD")) return notFound(response)
      refresh(refreshLicenseMetrics).then(
        () => exporter.getMetricsRequestHandler(request, response),
        () => {
          response.statusCode = 500
          response.end()
        }
      )
    })
    yield* Effect.acquireRelease(Effect.as(listen(server, options), server), close)
    yield* Effect.logInfo("metrics listener started").pipe(
      Effect.annotateLogs({ address: options.address, port: options.port, path: METRICS_PATH })
    )
  })

export const metricsListenerLayer = (options: MetricsListenerOptions): Layer.Layer<never, MetricsListenFailed, LicenseGate> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      // The exporter's own server stays off: ours binds where configured and fails startup on error.
      const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
      return Layer.merge(
        Metrics.layer(() => exporter).pipe(Layer.provide(telemetryResourceLayer(options.serviceVersion))),
        Layer.scopedDiscard(serveMetrics(exporter, options))
      )
    })
  )
