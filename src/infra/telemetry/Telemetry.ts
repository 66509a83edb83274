/**
 * The telemetry switches, light to import: the OpenTelemetry SDK and exporters are loaded only
 * when metrics or traces are on, so a service with both off pays nothing for them (not even the
 * module load). Metrics: `metrics_port` (MetricsListener.ts). Traces: the standard OTLP
 * variables (OtlpTracing.ts).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LicenseGate } from "../../domain/LicenseGate.js"
import type { MetricsListenerOptions, MetricsListenFailed } from "./MetricsListener.js"

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
/** The Prometheus listener, or nothing when `metrics_port` is 0. */
export const metricsLayer = (options: MetricsListenerOptions): Layer.Layer<never, MetricsListenFailed, LicenseGate> =>
  options.port === 0
    ? Layer.empty
    : Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./MetricsListener.js")), (listener) => listener.metricsListenerLayer(options)))

/** The OTLP tracer, or nothing (Effect's in-memory spans, as without telemetry) when tracing is off. */
export const tracingLayer = (env: Env, serviceVersion: string): Layer.Layer<never> => {
  const url = otlpTracesUrlOf(env)
  return url === undefined
    ? Layer.empty
    : Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./OtlpTracing.js")), (tracing) => tracing.otlpTracingLayer(url, serviceVersion)))
}
