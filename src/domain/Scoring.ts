/**
 * From evidence to the engine's assessment: one probability and the reasons, strongest first.
 *
 * Rule (docs/detection.md):
 * - probability = CLEAN_PROBABILITY * product over the evidence of (1 - weight). A capture with
 *   no evidence gets 0.95; one strong item (0.99) gives about 0.0095, one weak item (0.6) 0.38:
 *   every item alone is below the default `liveness_threshold` of 0.5, so any evidence rejects.
 * - reasons: the distinct codes, ordered by `reasonPriority` (what makes the later evidence
 *   worthless comes first), so the public `reason` is the most fundamental objection.
 */
import type { RejectionReasonCode } from "./EngineReasons.js"
import type { Evidence } from "./Evidence.js"

/** Probability of a capture that no check objects to: the checks are not proof of liveness. */
export const CLEAN_PROBABILITY = 0.95

/**
 * A forged or revoked SDK makes everything it reports worthless; a payload that is internally
 * inconsistent makes its frames and signals worthless; an untrusted device or environment makes
 * its sensors worthless; then the content itself, then behaviour; weak content evidence last.
 */
export const reasonPriority: ReadonlyArray<RejectionReasonCode> = [
  "SDK_INTEGRITY_VIOLATION",
  "UNTRUSTED_CORRUPTED_PAYLOAD",
  "UNTRUSTED_DEVICE",
  "UNTRUSTED_ENVIRONMENT",
  "UNTRUSTED_CONTENT",
  "SUSPICIOUS_ACTIVITY",
  "UNTRUSTED_CONTENT_LOW_CONFIDENCE"
]

export interface Score {
  readonly probability: number
  readonly reasons: ReadonlyArray<RejectionReasonCode>
}

export const score = (items: ReadonlyArray<Evidence>): Score => {
  const probability = items.reduce((p, item) => p * (1 - Math.min(1, Math.max(0, item.weight))), CLEAN_PROBABILITY)
  const codes = new Set(items.map((item) => item.code))
  return { probability, reasons: reasonPriority.filter((code) => codes.has(code)) }
}
