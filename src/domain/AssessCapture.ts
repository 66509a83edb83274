/**
 * The liveness pipeline over an opened capture: which checks run, in which order, what settles
 * the verdict early, and how the evidence becomes one probability. Engines only open captures;
 * the forensics and the face analysis are ports, so a tester's fakes run through this same code.
 *
 * Order (docs/detection.md): metadata checks (trust, frame order, activity: cheap, no pixels),
 * then frame forensics (decode, headers, noise), then face analysis. The first stage with strong
 * evidence answers, so such a capture's pixels or face are not worked on; weak evidence goes on to
 * the face checks, and the verdict (Verdict.ts) still puts it before face feedback.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { OpenedCapture } from "./CaptureEngine.js"
import type { DetectionConfig } from "./DetectionConfig.js"
import type { FaceProblemCode, RejectionReasonCode } from "./EngineReasons.js"
import { evidence, type Evidence, STRONG } from "./Evidence.js"
import { activityChecks } from "./evidence/ActivityChecks.js"
import { contentChecks } from "./evidence/ContentChecks.js"
import { framePayloadChecks, frameOrderChecks } from "./evidence/PayloadChecks.js"
import { trustChecks } from "./evidence/TrustChecks.js"
import { FaceAnalysisError, FaceAnalyzer } from "./FaceAnalyzer.js"
import { Forensics, type ForensicsFailure } from "./Forensics.js"
import { score } from "./Scoring.js"
import { type CaptureSession, UNCHECKED_SESSION } from "./Sessions.js"

/** What the checks make of a capture, in the engine family's private vocabulary. */
export interface Assessment {
  /** Probability in [0, 1] that the capture is genuine (not injected, not tampered). */
  readonly probability: number
  /** Rejection reason codes, strongest first; empty when no check objects. */
  readonly reasons: ReadonlyArray<RejectionReasonCode>
  /** Some check found strong evidence: no threshold may accept the capture (Verdict.ts). */
  readonly decisive: boolean
  /** The best frame's face problem, when the face was analysed and is not usable. */
  readonly faceProblem: FaceProblemCode | undefined
  /** Detector confidence in [0, 1] for the best frame's face; 0 when not analysed. */
  readonly faceProbability: number
}

/** The face analysis could not run (a model failed): no verdict, an unclassified failure. */
export type AssessmentFailure = ForensicsFailure | FaceAnalysisError

/** Strong evidence settles the verdict: no threshold may accept it, so the face is not analysed. */
export const isDecisive = (items: ReadonlyArray<Evidence>): boolean => items.some((item) => item.weight >= STRONG)

/** Operators read why a capture was rejected in the log; clients never see it. */
const logEvidence = (items: ReadonlyArray<Evidence>) =>
  items.length === 0
    ? Effect.void
    : Effect.logInfo("capture evidence").pipe(
      Effect.annotateLogs({ evidence: items.map((item) => `${item.code} ${item.check}: ${item.detail}`) })
    )

const assessmentOf = (items: ReadonlyArray<Evidence>, face?: { problem: FaceProblemCode | undefined; faceProbability: number }): Assessment => ({
  ...score(items),
  decisive: isDecisive(items),
  faceProblem: face?.problem,
  faceProbability: face?.faceProbability ?? 0
})

/** A capture rejected before its face was analysed. */
const rejected = (items: ReadonlyArray<Evidence>) => Effect.as(logEvidence(items), assessmentOf(items))

/**
 * A capture the checks before the face analysis did not settle: the evidence so far and the frames
 * the face analysis needs. `screenCapture` and `finishAssessment` run in separate engine stages
 * (`EngineCapacity.runInStages`).
 */
export interface FaceNeeded {
  readonly found: ReadonlyArray<Evidence>
  readonly frames: ReadonlyArray<Uint8Array>
  readonly bestFrame: number
}

/** The screening's answer: settled (right), or on to the face analysis (left). */
export type Screened = Either.Either<Assessment, FaceNeeded>
const settled = (assessment: Assessment): Screened => Either.right(assessment)
const faceNeeded = (needed: FaceNeeded): Screened => Either.left(needed)

/**
 * Metadata checks, then the frame forensics: `Either.right` with the assessment when strong
 * evidence settles it (the face is not looked at), else `Either.left` with what the face analysis
 * needs. `session`: what the capture's session established (Sessions.ts); it matters to web
 * captures only.
 */
export const screenCapture = (capture: OpenedCapture, config: DetectionConfig, session: CaptureSession = UNCHECKED_SESSION) =>
  Effect.gen(function*() {
    const { facts } = capture
    const metadata = [...trustChecks(facts, config, session), ...frameOrderChecks(facts), ...activityChecks(facts, config)]
    if (isDecisive(metadata)) return settled(yield* rejected(metadata))
    const frames = facts.contents.frames.map((frame) => frame.jpeg)
    const forensics = yield* Effect.flatMap(Forensics, (lab) => lab.measure(frames)).pipe(Effect.withSpan("capture.forensics"))
    const found = [...metadata, ...framePayloadChecks(forensics, config), ...contentChecks(facts, forensics, config)]
    if (isDecisive(found)) return settled(yield* rejected(found))
    return faceNeeded({ found, frames, bestFrame: facts.contents.bestFrame })
  })

/** The face analysis of a capture the screening did not settle, and the assessment that ends with it. */
export const finishAssessment = ({ found, frames, bestFrame }: FaceNeeded) =>
  Effect.gen(function*() {
    const analyzer = yield* FaceAnalyzer
    const face = yield* analyzer.analyze(frames, bestFrame).pipe(
      Effect.withSpan("capture.face"),
      // A frame that does not decode inside an authentic, decrypted capture: the payload is corrupted.
      Effect.catchIf((error) => error.kind === "UndecodableFrame", () => Effect.succeed(undefined))
    )
    if (face === undefined) {
      return yield* rejected([...found, evidence("UNTRUSTED_CORRUPTED_PAYLOAD", STRONG, "frame-decode", "face analysis could not decode a frame")])
    }
    yield* logEvidence(found)
    return assessmentOf(found, face)
  })

/** The whole assessment in one go: `screenCapture`, then `finishAssessment` when it did not settle the capture. */
export const assessCapture = (capture: OpenedCapture, config: DetectionConfig, session: CaptureSession = UNCHECKED_SESSION) =>
  Effect.flatMap(screenCapture(capture, config, session), Either.match({ onLeft: finishAssessment, onRight: Effect.succeed }))

/** `POST /extract`: the detector's confidence that the best frame holds a face. */
export const detectFace = (capture: OpenedCapture) =>
  Effect.gen(function*() {
    const { contents } = capture.facts
    const best = contents.frames[contents.bestFrame]
    if (best === undefined) {
      return yield* new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${contents.bestFrame} of ${contents.frames.length}` })
    }
    const analyzer = yield* FaceAnalyzer
    const report = yield* analyzer.analyze([best.jpeg], 0).pipe(Effect.withSpan("capture.face"))
    return report.faceProbability
  })
