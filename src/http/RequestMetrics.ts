/**
 * Request metrics, recorded by the access log: a counter and a latency histogram by endpoint,
 * method and status. The `endpoint` label is the path as the HttpApi declares it (or `docs`, or
 * `unmatched` for any other path), never the raw URL, so a scanner cannot grow the label set.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import { IadApi } from "./Api.js"
import { DOCS_PATH } from "./SecurityHeaders.js"

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Declared paths, with `:param` segments matching any one segment. */
const declaredPaths = (): ReadonlyArray<{ readonly path: string; readonly pattern: RegExp }> => {
  const paths = new Set<string>()
  HttpApi.reflect(IadApi, { onGroup: () => undefined, onEndpoint: ({ endpoint }) => paths.add(endpoint.path) })
  return [...paths].map((path) => ({
    path,
    pattern: new RegExp(`^${path.split("/").map((part) => part.startsWith(":") ? "[^/]+" : escapeRegExp(part)).join("/")}/?$`)
  }))
}

const DECLARED = declaredPaths()

export const UNMATCHED = "unmatched"

/** The `endpoint` label of a request path (without its query string). */
export const endpointOf = (path: string): string => {
  if (path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`)) return "docs"
  return DECLARED.find((route) => route.pattern.test(path))?.path ?? UNMATCHED
}

const requests = Metric.counter("iad_http_requests", {
  description: "HTTP requests answered on the public port, by endpoint, method and status",
  incremental: true
})

/** Seconds: a health check takes a millisecond, a capture under load several seconds. */
const DURATION_BOUNDARIES = MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])

const requestDuration = Metric.histogram(
  "iad_http_request_duration_seconds",
  DURATION_BOUNDARIES,
  "Seconds from request start to response, by endpoint, method and status"
)

export const recordRequest = (request: {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly durationMillis: number
}): Effect.Effect<void> => {
  const labels = [
    MetricLabel.make("endpoint", endpointOf(request.path)),
    MetricLabel.make("method", request.method),
    MetricLabel.make("status", String(request.status))
  ]
  return Effect.zipRight(
    Metric.increment(Metric.taggedWithLabels(requests, labels)),
    Metric.update(Metric.taggedWithLabels(requestDuration, labels), request.durationMillis / 1000)
  )
}
