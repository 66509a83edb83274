/**
 * Interim verdict from integrity facts alone (issues 4 and 5 add face and content analysis):
 * who made the capture and where, mapped onto private reason codes, strongest first.
 */
import type { RejectionReasonCode } from "./EngineReasons.js"

export type SdkSignatureFact = "valid" | "invalid" | "unknown-key"
export type AttestationFact = "valid" | "invalid" | "missing" | "other-capture" | "other-device" | "untrusted-authority"

export interface IntegrityEvidence {
  readonly sdkSignature: SdkSignatureFact
  readonly attestation: AttestationFact
  /** Environment signals the SDK reported (emulator, root, hooking...), excluding the camera. */
  readonly environmentSignals: ReadonlyArray<string>
  /** The SDK saw a virtual camera app feeding the camera: an injection, not just a risky device. */
  readonly virtualCamera: boolean
}

export interface IntegrityVerdict {
  readonly probability: number
  readonly reasons: ReadonlyArray<RejectionReasonCode>
}

/** Probability for a capture with no objection, and for one with any: placeholders until issue 5 scores content. */
export const cleanProbability = 0.95
export const rejectedProbability = 0.05

export const integrityVerdict = (evidence: IntegrityEvidence): IntegrityVerdict => {
  const reasons: Array<RejectionReasonCode> = []
  // A tampered or unknown SDK makes every other signal it reports worthless: it comes first.
  if (evidence.sdkSignature !== "valid") reasons.push("SDK_INTEGRITY_VIOLATION")
  if (evidence.virtualCamera) reasons.push("UNTRUSTED_CONTENT")
  if (evidence.attestation !== "valid") reasons.push("UNTRUSTED_DEVICE")
  if (evidence.environmentSignals.length > 0) reasons.push("UNTRUSTED_ENVIRONMENT")
  return { probability: reasons.length === 0 ? cleanProbability : rejectedProbability, reasons }
}
