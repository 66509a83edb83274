/**
 * The OTLP/HTTP (JSON) tracer: loaded by Telemetry.ts only when tracing is on. The spans are the
 * ones the code opens with `Effect.withSpan`, under the platform's `http.server` span.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Tracer from "@effect/opentelemetry/Tracer"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Layer from "effect/Layer"
import { telemetryResourceLayer } from "./TelemetryResource.js"

/**
 * Spans to `url`. Headers, timeout and compression come from the exporter's own reading of the
 * standard variables (`OTEL_EXPORTER_OTLP_HEADERS`, ...). On shutdown the pending spans are
 * flushed (bounded by a timeout).
 */
export const otlpTracingLayer = (url: string, serviceVersion: string): Layer.Layer<never> =>
  Tracer.layer.pipe(
    Layer.provide(NodeSdk.layerTracerProvider(new BatchSpanProcessor(new OTLPTraceExporter({ url })))),
    Layer.provide(telemetryResourceLayer(serviceVersion)),
    Layer.discard
  )
