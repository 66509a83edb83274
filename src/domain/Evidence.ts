/**
 * Evidence: what one check found wrong with a capture, in the engine's private vocabulary. Checks
 * are pure functions over the opened capture (and, for content, the forensics the engine measured);
 * `Scoring.ts` combines their evidence into one probability and an ordered list of reasons.
 */
import type { CaptureContents, IntegrityFacts } from "../capture/CaptureContents.js"
import type { RejectionReasonCode } from "./EngineReasons.js"

export interface Evidence {
  readonly code: RejectionReasonCode
  /** How sure the check is that this is an attack, in (0, 1]: see `Scoring.ts`. */
  readonly weight: number
  /** The check's name, as in docs/detection.md. */
  readonly check: string
  /** Private detail for logs and the evaluation, never sent to a client. */
  readonly detail: string
}

/** The check leaves no honest explanation (a broken signature, a repeated still). */
export const STRONG = 0.99
/**
 * Consistent with an attack but with a conceivable honest cause (an odd camera, a single frame):
 * still a rejection on its own (0.95 * 0.4 = 0.38 < 0.5), with a probability that says it is weaker.
 */
export const WEAK = 0.6

export interface OpenedFacts {
  readonly contents: CaptureContents
  readonly integrity: IntegrityFacts
}

export const evidence = (code: RejectionReasonCode, weight: number, check: string, detail: string): Evidence => ({
  code,
  weight,
  check,
  detail
})
