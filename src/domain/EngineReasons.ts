/**
 * The engine's private vocabulary and its total mapping onto the public one.
 *
 * Engines (native or fake) speak private reason codes in the style of the engine family behind the
 * product (ID R&D IAD). These codes are for analysis and metrics; integrators only ever see the
 * public values they map to. The tables are data so that tests and docs can enumerate them.
 */
import type { FaceMessage, PublicReason } from "./PublicMessages.js"

/** Rejection reasons the engine may attach to a capture whose probability is below threshold. */
export const rejectionReasonTable = {
  UNTRUSTED_ENVIRONMENT: "UntrustedEnvironment",
  SUSPICIOUS_ACTIVITY: "SuspiciousActivity",
  UNTRUSTED_DEVICE: "UntrustedDevice",
  SDK_INTEGRITY_VIOLATION: "SdkIntegrityViolation",
  UNTRUSTED_CORRUPTED_PAYLOAD: "UntrustedCorruptedPayload",
  UNTRUSTED_CONTENT: "UntrustedContent",
  UNTRUSTED_CONTENT_LOW_CONFIDENCE: "UntrustedContentLowConfidence"
} as const satisfies Record<string, Exclude<PublicReason, "None" | "Unknown">>

export type RejectionReasonCode = keyof typeof rejectionReasonTable

/** Face-quality problems the engine reports on the best frame. */
export const faceProblemTable = {
  FACE_TOO_CLOSE: "NoneBecauseFaceTooClose",
  FACE_NOT_FOUND: "NoneBecauseFaceNotFound",
  FACE_CROPPED: "NoneBecauseFaceCropped",
  FACE_IS_OCCLUDED: "NoneBecauseFaceOccluded",
  TOO_MANY_FACES: "NoneBecauseTooManyFaces",
  FACE_ANGLE_TOO_LARGE: "NoneBecauseAngleTooLarge",
  FACE_TOO_SMALL: "NoneBecauseFaceTooSmall",
  FACE_TOO_CLOSE_TO_BORDER: "NoneBecauseFaceTooCloseToBorder",
  EYES_CLOSED: "NoneBecauseEyesClosed"
} as const satisfies Record<string, FaceMessage>

export type FaceProblemCode = keyof typeof faceProblemTable

const hasOwn = <T extends object>(table: T, key: string): key is Extract<keyof T, string> =>
  Object.prototype.hasOwnProperty.call(table, key)

/** Total: a code the table does not know is `Unknown`, never a crash. */
export const publicReasonOf = (code: string): Exclude<PublicReason, "None"> =>
  hasOwn(rejectionReasonTable, code) ? rejectionReasonTable[code] : "Unknown"

/** A face code the table does not know yields `undefined`: the caller treats it as unclassified. */
export const faceMessageOf = (code: string): FaceMessage | undefined =>
  hasOwn(faceProblemTable, code) ? faceProblemTable[code] : undefined

/** Inverse lookups, used by the fake engine to speak the private language from public names. */
export const rejectionCodeFor = (reason: PublicReason): RejectionReasonCode | undefined =>
  (Object.keys(rejectionReasonTable) as Array<RejectionReasonCode>).find((code) => rejectionReasonTable[code] === reason)

export const faceCodeFor = (message: FaceMessage): FaceProblemCode | undefined =>
  (Object.keys(faceProblemTable) as Array<FaceProblemCode>).find((code) => faceProblemTable[code] === message)
