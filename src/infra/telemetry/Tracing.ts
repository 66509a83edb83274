/**
 * Traces over OTLP/HTTP (JSON), on only when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: otherwise no tracer is installed and spans stay
 * Effect's in-memory ones, as before. The spans are the ones the code opens with
 * `Effect.withSpan` under the platform's `http.server` span (one trace per request).
 */
import { NodeSdk, Tracer } from "@effect/opentelemetry"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Layer } from "effect"
import { telemetryResourceLayer } from "./TelemetryResource.js"

type Env = Readonly<Record<string, string | undefined>>

const nonEmpty = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== "" ? value.trim() : undefined

/**
 * Where spans go, by the OpenTelemetry specification's rules: the traces endpoint as given, else
 * the base endpoint plus `/v1/traces`; nothing when tracing is disabled or no endpoint is set.
 */
export const otlpTracesUrlOf = (env: Env): string | undefined => {
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === "true") return undefined
  const exporters = (nonEmpty(env.OTEL_TRACES_EXPORTER) ?? "otlp").split(",").map((name) => name.trim().toLowerCase())
  if (!exporters.includes("otlp")) return undefined
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  if (traces !== undefined) return traces
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  return base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`
}

/**
 * The tracer Layer, or an empty one when tracing is off. Headers, timeout and compression come
 * from the exporter's own reading of the standard variables (`OTEL_EXPORTER_OTLP_HEADERS`, ...).
 * On shutdown the pending spans are flushed (bounded by a timeout).
 */
export const tracingLayer = (env: Env, serviceVersion: string): Layer.Layer<never> => {
  const url = otlpTracesUrlOf(env)
  if (url === undefined) return Layer.empty
  return Tracer.layer.pipe(
    Layer.provide(NodeSdk.layerTracerProvider(new BatchSpanProcessor(new OTLPTraceExporter({ url })))),
    Layer.provide(telemetryResourceLayer(serviceVersion)),
    Layer.discard
  )
}
