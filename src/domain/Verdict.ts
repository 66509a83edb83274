/**
 * From an engine assessment to the public liveness answer. Pure and total.
 *
 * Order (documented in the README and docs/detection.md):
 * 1. Strong evidence (a broken signature, an untrusted device or environment, injected content):
 *    NoLive whatever `liveness_threshold` says. The threshold moves only the weak band, so no
 *    configuration can turn a proven attack into Live.
 * 2. Below threshold with a reason (weak evidence): the capture itself is not trusted. That
 *    verdict wins over face feedback, so that a tampered capture never earns guidance on how to
 *    frame a face.
 * 3. A face problem: 400 with the face message (the capture is trusted, the face is not usable).
 * 4. Otherwise Live / NoLive by threshold; NoLive without an engine reason is `Unknown`.
 */
import type { Assessment } from "./AssessCapture.js"
import { faceProblemTable, publicReasonOf } from "./EngineReasons.js"
import { clampProbability, isLive, roundForWire, scoreOf } from "./Liveness.js"
import type { Diagnostic, FaceMessage, PublicReason } from "./PublicMessages.js"

export type LivenessVerdict =
  | {
    readonly _tag: "Answered"
    readonly diagnostic: Diagnostic
    readonly reason: PublicReason
    readonly probability: number
    readonly score: number
  }
  | { readonly _tag: "FaceRejected"; readonly message: FaceMessage }

export const decideLiveness = (assessment: Assessment, threshold: number): LivenessVerdict => {
  const probability = clampProbability(assessment.probability)
  const live = isLive(probability, threshold)
  const answered = (diagnostic: Diagnostic, reason: PublicReason): LivenessVerdict => ({
    _tag: "Answered",
    diagnostic,
    reason,
    probability: roundForWire(probability),
    score: roundForWire(scoreOf(probability))
  })
  const [strongestReason] = assessment.reasons
  if ((assessment.decisive || !live) && strongestReason !== undefined) return answered("NoLive", publicReasonOf(strongestReason))
  if (assessment.faceProblem !== undefined) return { _tag: "FaceRejected", message: faceProblemTable[assessment.faceProblem] }
  return live ? answered("Live", "None") : answered("NoLive", "Unknown")
}
