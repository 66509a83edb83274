/**
 * The fake engine: a `CaptureEngine` Layer for testers and integrators. It reads captures as
 * `FakeCaptureDocument` JSON (or through a script of the tester's own) and opens them into the
 * contents and frame scripts that make the real checks give the stated outcome: an
 * `UntrustedDevice` capture carries a forged attestation, an `UntrustedContent` one identical
 * frames, a face message a best frame whose face has that problem. The verdict is then the
 * domain's, as for a real capture, with `fakeForensicsLayer` and `fakeFaceAnalyzerLayer`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import type { CaptureContents, CaptureSignals, IntegrityFacts } from "../../capture/CaptureContents.js"
import { draftOf } from "../../capture/GenuineSignals.js"
import { CaptureEngine, EngineFailure, type OpenedCapture } from "../../domain/CaptureEngine.js"
import { FaceMessage } from "../../domain/PublicMessages.js"
import { DEFAULT_FAKE_JPEG_BASE64, FakeCaptureDocument, type FakeOutcome } from "./FakeCaptureDocument.js"
import { encodeFakeFrame, type FakeFrameInput } from "./FakeFrame.js"

/** Turns uploaded bytes into the document that scripts the outcome. */
export type FakeScript = (capture: Uint8Array) => Effect.Effect<FakeCaptureDocument, EngineFailure>

const decodeDocument = Schema.decodeUnknown(Schema.parseJson(FakeCaptureDocument))

/** Default script: the capture is a JSON `FakeCaptureDocument`; anything else is malformed. */
export const jsonDocumentScript: FakeScript = (capture) =>
  decodeDocument(new TextDecoder().decode(capture)).pipe(
    Effect.mapError((error) => new EngineFailure({ kind: "Malformed", detail: `not a fake capture document: ${error.message}` }))
  )

const DEFAULT_FRAMES = 3
/** Between the thresholds of docs/detection.md: still frames with a little noise. */
const LOW_CONFIDENCE_NOISE = 0.25
/** Two taps closer than any hand makes them. */
const MACHINE_TAPS: CaptureSignals["touches"] = [[100, 0.5, 0.85, 0.5], [105, 0.5, 0.85, 0.5]]

interface Recipe {
  readonly signals: CaptureSignals
  /** Applied to every frame, or to the best frame only. */
  readonly everyFrame: FakeFrameInput
  readonly bestFrame: FakeFrameInput
}

const isFaceMessage = Schema.is(FaceMessage)

/** What a capture must carry for the real checks to answer `outcome`. */
const recipeFor = (outcome: FakeOutcome): Recipe => {
  const recipe = (parts: Partial<Recipe>): Recipe => ({ signals: {}, everyFrame: {}, bestFrame: {}, ...parts })
  if (isFaceMessage(outcome)) return recipe({ bestFrame: { face: outcome } })
  switch (outcome) {
    case "UntrustedEnvironment":
      return recipe({ signals: { environment: { emulator: true } } })
    case "SuspiciousActivity":
      return recipe({ signals: { touches: MACHINE_TAPS } })
    case "UntrustedDevice":
      return recipe({ signals: { attestation: "forged" } })
    case "SdkIntegrityViolation":
      return recipe({ signals: { sdkSignature: "forged" } })
    case "UntrustedCorruptedPayload":
      return recipe({ bestFrame: { decodes: false } })
    case "UntrustedContent":
      return recipe({ everyFrame: { identicalShare: 1 } })
    case "UntrustedContentLowConfidence":
      return recipe({ everyFrame: { temporalNoise: LOW_CONFIDENCE_NOISE } })
    case "ErrorProcessing":
    case "ErrorFacialImage":
      return recipe({ bestFrame: { analysisFails: true } })
    default:
      return recipe({})
  }
}

const sdkSignatureFact = {
  genuine: "valid",
  forged: "invalid",
  "untrusted-key": "unknown-key",
  absent: "unsigned-web"
} as const
const attestationFact = {
  genuine: "valid",
  forged: "invalid",
  missing: "missing",
  "other-capture": "other-capture",
  "other-device": "other-device",
  "untrusted-authority": "untrusted-authority"
} as const

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

/** 16 bytes of the upload's SHA-256, as hex: a capture id as long as the format's shortest. */
const idOf = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex").slice(0, 32)

/** The contents a capture with these signals and frames opens to (as the reference SDK would fill them). */
const openedFrom = (document: FakeCaptureDocument, bytes: Uint8Array, now: number): OpenedCapture => {
  const recipe = recipeFor(document.outcome)
  // Like a real capture, the same bytes carry the same id (the replay store sees a repeat).
  const signals: CaptureSignals = { captureId: idOf(bytes), ...recipe.signals, ...document.signals }
  const given = typeof document.frames === "object" ? document.frames : []
  const count = typeof document.frames === "number" ? document.frames : Math.max(DEFAULT_FRAMES, given.length)
  const bestIndex = signals.bestFrame ?? Math.floor(count / 2)
  const scripts = Array.from({ length: count }, (_, i) => ({
    faceProbability: document.faceProbability,
    analysisMillis: document.engineMillis,
    ...recipe.everyFrame,
    ...(i === bestIndex ? recipe.bestFrame : {}),
    ...given[i]
  }))
  const capturedAt = document.capturedAt ?? now
  const draft = draftOf({ frames: scripts.map(encodeFakeFrame), frameSize: { width: 1280, height: 720 }, capturedAt, signals })
  const contents: CaptureContents = {
    formatVersion: 1,
    captureId: hex(draft.captureId),
    createdAt: draft.createdAt,
    sdk: draft.sdk,
    camera: draft.camera,
    frames: draft.frames,
    bestFrame: draft.bestFrame,
    faceScore: draft.faceScore,
    environment: draft.environment,
    device: { ...draft.device, id: hex(draft.device.id) },
    activity: { motion: Float32Array.from(draft.motion.flat()), touches: Float32Array.from(draft.touches.flat()) },
    ...(draft.sessionToken === undefined ? {} : { sessionToken: hex(draft.sessionToken) })
  }
  const integrity: IntegrityFacts = {
    sdkSignature: sdkSignatureFact[draft.sdkSignature],
    sdkKeyId: draft.sdkSignature === "absent" ? "" : "00".repeat(8),
    attestation: attestationFact[draft.attestation]
  }
  return {
    captureId: contents.captureId,
    capturedAt,
    bestFrame: { bytes: Buffer.from(document.image ?? DEFAULT_FAKE_JPEG_BASE64, "base64"), mimeType: document.mimeType },
    facts: { contents, integrity }
  }
}

const open = (script: FakeScript) => (capture: Uint8Array) =>
  Effect.gen(function*() {
    const document = yield* script(capture)
    if (document.engineMillis > 0) yield* Effect.sleep(Duration.millis(document.engineMillis))
    if (document.outcome === "NoneBecauseImageDataError") {
      return yield* new EngineFailure({ kind: "Undecryptable", detail: "fake: scripted decrypt failure" })
    }
    if (document.outcome === "NoneBecauseLicenseError") {
      return yield* new EngineFailure({ kind: "LicenseRejected", detail: "fake: scripted license rejection" })
    }
    return openedFrom(document, capture, yield* Clock.currentTimeMillis)
  })

export interface FakeEngineOptions {
  /** How captures become outcomes. Default: JSON `FakeCaptureDocument`. */
  readonly script?: FakeScript
}

export const fakeEngineLayer = (options: FakeEngineOptions = {}): Layer.Layer<CaptureEngine> =>
  Layer.succeed(CaptureEngine, CaptureEngine.of({ name: "fake", open: open(options.script ?? jsonDocumentScript) }))
