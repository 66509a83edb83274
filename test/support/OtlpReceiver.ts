/**
 * An in-process OTLP/HTTP receiver for traces (JSON encoding, as the service's exporter sends
 * them): a small HTTP server on 127.0.0.1 that keeps every span it is sent, for tests that check
 * what the service exports.
 */
import { Effect, type Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly resource: Readonly<Record<string, unknown>>
}

export interface OtlpReceiver {
  /** Base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` takes it. */
  readonly endpoint: string
  readonly spans: ReadonlyArray<ReceivedSpan>
  /** Paths and content types of the requests received. */
  readonly requests: ReadonlyArray<{ readonly path: string; readonly contentType: string }>
}

interface OtlpKeyValue {
  readonly key: string
  readonly value: Readonly<Record<string, unknown>>
}

/** OTLP JSON wraps each value by its type (`stringValue`, `intValue`, ...): unwrap one level. */
const attributesOf = (list: ReadonlyArray<OtlpKeyValue> | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]))

interface ExportTraceRequest {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: { readonly attributes?: ReadonlyArray<OtlpKeyValue> }
    readonly scopeSpans?: ReadonlyArray<{
      readonly spans?: ReadonlyArray<{
        readonly traceId: string
        readonly spanId: string
        readonly parentSpanId?: string
        readonly name: string
        readonly attributes?: ReadonlyArray<OtlpKeyValue>
      }>
    }>
  }>
}

const spansOf = (body: ExportTraceRequest): Array<ReceivedSpan> =>
  (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes)
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId === undefined || span.parentSpanId === "" ? undefined : span.parentSpanId,
        name: span.name,
        attributes: attributesOf(span.attributes),
        resource
      }))
    )
  })

export const startOtlpReceiver: Effect.Effect<OtlpReceiver, never, Scope.Scope> = Effect.gen(function*() {
  const spans: Array<ReceivedSpan> = []
  const requests: Array<{ path: string; contentType: string }> = []
  const server = http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const raw = Buffer.concat(chunks)
      const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw
      const contentType = request.headers["content-type"] ?? ""
      requests.push({ path: request.url ?? "", contentType })
      if (request.url === "/v1/traces" && contentType.startsWith("application/json")) {
        spans.push(...spansOf(JSON.parse(body.toString("utf8")) as ExportTraceRequest))
      }
      response.writeHead(200, { "content-type": "application/json" })
      response.end("{}")
    })
  })
  const port = yield* Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
    }),
    () => Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
      server.closeAllConnections()
    })
  )
  return { endpoint: `http://127.0.0.1:${port}`, spans, requests }
})
