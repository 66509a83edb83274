/**
 * Forensics for testers: what each frame's script (FakeFrame.ts) says a measurement would find;
 * a frame that is not scripted measures as a genuine camera frame.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ijgTables } from "../../domain/evidence/JpegTables.js"
import { Forensics, type FrameForensics } from "../../domain/Forensics.js"
import { type FakeFrame, genuineFrame, readFakeFrame } from "./FakeFrame.js"

export const fakeForensicsOf = (scripts: ReadonlyArray<FakeFrame>): FrameForensics => {
  const decoded = scripts.filter((frame) => frame.decodes)
  return {
    decoded: scripts.map((frame) => frame.decodes),
    headers: scripts.map((frame) => ({
      ok: frame.decodes,
      width: frame.width,
      height: frame.height,
      components: 3,
      sof: 0xc0,
      tables: ijgTables(frame.jpegQuality)
    })),
    pairs: decoded.slice(1).map((frame, i) => ({
      comparable: frame.width === decoded[i]!.width && frame.height === decoded[i]!.height,
      temporalNoise: frame.temporalNoise,
      identicalShare: frame.identicalShare
    }))
  }
}

export const fakeForensicsLayer: Layer.Layer<Forensics> = Layer.succeed(
  Forensics,
  Forensics.of({
    measure: (frames) => Effect.sync(() => fakeForensicsOf(frames.map((bytes) => Option.getOrElse(readFakeFrame(bytes), () => genuineFrame))))
  })
)
