/**
 * Engine slot metrics, recorded by EngineCapacityLive where slots are taken and released.
 * Names and labels are documented in docs/operations.md ("Metrics").
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/** Seconds: from a few milliseconds of waiting to the longest `engine_queue_timeout` worth measuring. */
const QUEUE_WAIT_BOUNDARIES = MetricBoundaries.fromIterable([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])

/** Time a step waited for a free engine slot. */
export const engineQueueWait = Metric.histogram(
  "iad_engine_queue_wait_seconds",
  QUEUE_WAIT_BOUNDARIES,
  "Seconds a capture step waited for a free engine slot"
)

/** Engine slots in use right now (`engine_pool_size` is the most). */
export const enginesBusy = Metric.gauge("iad_engines_busy", { description: "Engine slots in use" })

/** Engine slots in all (`engine_pool_size`). */
export const engineSlots = Metric.gauge("iad_engine_slots", { description: "Engine slots in all (engine_pool_size)" })

/** Waits for a slot that ran out (`engine_queue_timeout`: 503 + Retry-After). */
export const engineQueueTimeouts = Metric.counter("iad_engine_queue_timeouts", {
  description: "Captures refused because no engine slot became free within engine_queue_timeout",
  incremental: true
})
