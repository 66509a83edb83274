/**
 * The frames of a fake capture: instead of JPEG bytes, a small JSON script saying what the fake
 * forensics and the fake face analyzer measure on it. The fake engine writes them from a fake
 * capture document; the real checks then run over what the fakes report, so a fake capture goes
 * through the same pipeline (and the same public mapping) as a real one.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { FaceMessage } from "../../domain/PublicMessages.js"

const Probability = Schema.Number.pipe(Schema.between(0, 1))

/** The script's fields and their defaults (a genuine camera frame with a usable face). */
const scriptFields = {
  /** The frame decodes (false: a corrupted payload). */
  decodes: [Schema.Boolean, true],
  width: [Schema.Int.pipe(Schema.positive()), 1280],
  height: [Schema.Int.pipe(Schema.positive()), 720],
  /** JPEG quality of the standard tables the frame is said to carry. */
  jpegQuality: [Schema.Int.pipe(Schema.between(1, 100)), 90],
  /** Temporal noise against the previous frame (a live camera: about 0.5 and up). */
  temporalNoise: [Schema.Number.pipe(Schema.nonNegative()), 1],
  /** Share of pixels equal to the previous frame's. */
  identicalShare: [Probability, 0.02],
  faceProbability: [Probability, 0.99],
  /** The face models fail on this frame (an internal error). */
  analysisFails: [Schema.Boolean, false],
  /** Simulated face-analysis time, ms (honours TestClock). */
  analysisMillis: [Schema.Number.pipe(Schema.nonNegative(), Schema.lessThanOrEqualTo(60_000)), 0]
} as const

/** A frame's script as a fake capture document gives it: every field optional. */
export const FakeFrameInput = Schema.Struct({
  decodes: Schema.optionalWith(scriptFields.decodes[0], { exact: true }),
  width: Schema.optionalWith(scriptFields.width[0], { exact: true }),
  height: Schema.optionalWith(scriptFields.height[0], { exact: true }),
  jpegQuality: Schema.optionalWith(scriptFields.jpegQuality[0], { exact: true }),
  temporalNoise: Schema.optionalWith(scriptFields.temporalNoise[0], { exact: true }),
  identicalShare: Schema.optionalWith(scriptFields.identicalShare[0], { exact: true }),
  /** The face problem the analyzer reports when this is the best frame; absent: a usable face. */
  face: Schema.optionalWith(FaceMessage, { exact: true }),
  faceProbability: Schema.optionalWith(scriptFields.faceProbability[0], { exact: true }),
  analysisFails: Schema.optionalWith(scriptFields.analysisFails[0], { exact: true }),
  analysisMillis: Schema.optionalWith(scriptFields.analysisMillis[0], { exact: true })
})
export type FakeFrameInput = typeof FakeFrameInput.Type

/** What a frame that is not scripted is taken to be. */
export const genuineFrame: FakeFrame = {
  decodes: scriptFields.decodes[1],
  width: scriptFields.width[1],
  height: scriptFields.height[1],
  jpegQuality: scriptFields.jpegQuality[1],
  temporalNoise: scriptFields.temporalNoise[1],
  identicalShare: scriptFields.identicalShare[1],
  face: undefined,
  faceProbability: scriptFields.faceProbability[1],
  analysisFails: scriptFields.analysisFails[1],
  analysisMillis: scriptFields.analysisMillis[1]
}

/** A frame's script with every default filled in. */
export type FakeFrame = { readonly [K in keyof Required<FakeFrameInput>]: K extends "face" ? FakeFrameInput[K] : Exclude<FakeFrameInput[K], undefined> }

/** On the wire a script is JSON marked as one, so a real JPEG is never taken for a script. */
const FakeFrameWire = Schema.extend(Schema.Struct({ iadFakeFrame: Schema.Literal(1) }), FakeFrameInput)

const decodeFrame = Schema.decodeUnknownOption(Schema.parseJson(FakeFrameWire))

export const encodeFakeFrame = (input: FakeFrameInput): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ iadFakeFrame: 1, ...input }))

/** The script of a fake frame, defaults filled in; `None` for anything else (e.g. a real JPEG). */
export const readFakeFrame = (bytes: Uint8Array): Option.Option<FakeFrame> =>
  bytes[0] === 0x7b // "{": a JPEG starts with 0xFF
    ? Option.map(decodeFrame(new TextDecoder().decode(bytes)), ({ iadFakeFrame: _, ...script }) => ({ ...genuineFrame, ...script }))
    : Option.none()
