/**
 * What the frames' bytes and pixels measure (native/src/forensics.cc): JPEG header facts and noise
 * statistics, and the port that measures them. The checks over them are in `evidence/`.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const QuantTable = Schema.Struct({
  id: Schema.Int,
  /** 0: 8-bit values, 1: 16-bit. */
  precision: Schema.Int,
  /** 64 values in zig-zag order, as stored in the DQT segment. */
  values: Schema.Array(Schema.Number)
})
export type QuantTable = typeof QuantTable.Type

export const JpegHeader = Schema.Struct({
  /** The marker structure up to the first scan is sound (segments in bounds, one SOF, an SOS). */
  ok: Schema.Boolean,
  width: Schema.Int,
  height: Schema.Int,
  components: Schema.Int,
  sof: Schema.Int,
  tables: Schema.Array(QuantTable)
})
export type JpegHeader = typeof JpegHeader.Type

export const PairStats = Schema.Struct({
  /** Both planes decoded to the same size. */
  comparable: Schema.Boolean,
  /** Immerkaer noise estimate (grey levels) of the difference of two consecutive frames, flat pixels only. */
  temporalNoise: Schema.Number,
  /** Share of pixels equal in both frames. */
  identicalShare: Schema.Number
})
export type PairStats = typeof PairStats.Type

export const NativeForensicsResult = Schema.Struct({
  headers: Schema.Array(JpegHeader),
  pairs: Schema.Array(PairStats)
})

export interface FrameForensics {
  /** Per frame: it decoded (sharp, failing on any libjpeg warning such as a truncated scan). */
  readonly decoded: ReadonlyArray<boolean>
  /** Per frame, in frame order. */
  readonly headers: ReadonlyArray<JpegHeader>
  /** Consecutive decoded frames of at least 3x3 pixels. */
  readonly pairs: ReadonlyArray<PairStats>
}

/** The measurement itself failed (not the frames: a frame that does not decode is a finding). */
export class ForensicsFailure extends Data.TaggedError("ForensicsFailure")<{ readonly detail: string }> {}

export interface ForensicsShape {
  /** Frames are the JPEG bytes of an opened capture, in capture order. */
  readonly measure: (frames: ReadonlyArray<Uint8Array>) => Effect.Effect<FrameForensics, ForensicsFailure>
}

/** The forensics port: the native addon's measurement, or a fake for testers. */
export class Forensics extends Context.Tag("iad/Forensics")<Forensics, ForensicsShape>() {}
