/**
 * What the capture use cases count, as Effect metrics. The domain only records; whether and how
 * the numbers are exported (Prometheus on `metrics_port`) is infra's concern. Every label takes
 * its values from the public vocabulary (PublicMessages.ts), so the label sets stay small.
 * Names and labels are documented in docs/operations.md ("Metrics").
 */
import type * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type { Diagnostic, FaceMessage, PublicReason } from "./PublicMessages.js"

/** Liveness answers of `POST /liveness/evaluate`, by `diagnostic` and public `reason`. */
const verdicts = Metric.counter("iad_verdicts", {
  description: "Liveness verdicts answered, by diagnostic and public reason",
  incremental: true
})

/** 400 face-quality answers of `POST /liveness/evaluate`, by message. */
const faceRejections = Metric.counter("iad_face_rejections", {
  description: "Captures answered with a face-quality message, by message",
  incremental: true
})

/** The replay store could not answer (captures refused with 503, fail closed). */
const replayStoreErrors = Metric.counter("iad_replay_store_errors", {
  description: "Replay-store lookups that failed (the capture was refused with 503)",
  incremental: true
})

export const countVerdict = (diagnostic: Diagnostic, reason: PublicReason): Effect.Effect<void> =>
  Metric.increment(Metric.tagged(Metric.tagged(verdicts, "diagnostic", diagnostic), "reason", reason))

export const countFaceRejection = (message: FaceMessage): Effect.Effect<void> =>
  Metric.increment(Metric.tagged(faceRejections, "message", message))

export const countReplayStoreError: Effect.Effect<void> = Metric.increment(replayStoreErrors)
