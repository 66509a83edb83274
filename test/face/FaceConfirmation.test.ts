/**
 * A detection counts as a face only when FaceMesh agrees, on every frame where faces are counted:
 * real photos without a person, on which the detector alone fires, are FACE_NOT_FOUND, and the
 * same photos with the face-presence threshold at 0 (the detector alone) are not.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { intersectionOverUnion } from "../../src/infra/face/FaceConfirmation.js"
import { ortFaceAnalyzerLayer } from "../../src/infra/face/OrtFaceAnalyzer.js"
import * as F from "../fixtures/face/faceFrames.js"
import { labelledStill, noPersonPhotos } from "../fixtures/face/realWorldPhotos.js"

const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT
const frontal = () => F.framedFace(F.frontalFace, 300, W / 2, H / 2)

/** Read on every analysis (as the service's config is), so a test can switch confirmation off. */
let minFacePresence = defaultFaceThresholds.min_face_presence
const thresholds = Effect.sync(() => ({ ...defaultFaceThresholds, min_face_presence: minFacePresence }))
const withPresence = <A, E, R>(presence: number, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => (minFacePresence = presence)),
    () => effect,
    () => Effect.sync(() => (minFacePresence = defaultFaceThresholds.min_face_presence))
  )

const analyze = (frames: ReadonlyArray<Uint8Array>, best: number) => Effect.flatMap(FaceAnalyzer, (fa) => fa.analyze(frames, best))
const build = (make: () => Promise<Buffer>) => Effect.promise(make)

describe("intersectionOverUnion", () => {
  it("is 1 for the same box, shared over joint area when shifted, 0 when apart", () => {
    const box = { x: 0, y: 0, width: 10, height: 10 }
    expect(intersectionOverUnion(box, box)).toBe(1)
    expect(intersectionOverUnion(box, { ...box, x: 5 })).toBeCloseTo(50 / 150)
    expect(intersectionOverUnion(box, { ...box, x: 10 })).toBe(0)
  })
})

layer(ortFaceAnalyzerLayer({ thresholds }), { timeout: 120_000 })("face confirmation on real photos", (it) => {
  describe("photos without a person", () => {
    for (const [what, id] of Object.entries(noPersonPhotos)) {
      it.effect(`${what}: face not found, although the detector alone finds one`, () =>
        Effect.gen(function* () {
          const still = yield* build(() => labelledStill(id))
          const confirmed = yield* analyze([still], 0)
          expect(confirmed.problem).toBe("FACE_NOT_FOUND")
          expect(confirmed.faceProbability).toBe(0)
          const detectorOnly = yield* withPresence(0, analyze([still], 0))
          expect(detectorOnly.problem).not.toBe("FACE_NOT_FOUND")
          expect(detectorOnly.faceProbability).toBeGreaterThanOrEqual(defaultFaceThresholds.min_face_probability)
          expect(detectorOnly.measurements!.landmarkConfidence).toBeLessThan(defaultFaceThresholds.min_face_presence)
        })
      )
    }
  })

  describe("every frame where faces are counted", () => {
    it.effect("a face on the best frame and a cat on the others: face not found on those frames", () =>
      Effect.gen(function* () {
        const face = yield* build(frontal)
        const cat = yield* build(() => labelledStill(noPersonPhotos["a cat's face"]))
        expect((yield* analyze([face, cat, cat], 0)).problem).toBe("FACE_NOT_FOUND")
        expect((yield* withPresence(0, analyze([face, cat, cat], 0))).problem).not.toBe("FACE_NOT_FOUND")
      })
    )
    it.effect("a cat on the best frame and a face on the others: face not found", () =>
      Effect.gen(function* () {
        const face = yield* build(frontal)
        const cat = yield* build(() => labelledStill(noPersonPhotos["a cat's face"]))
        expect((yield* analyze([cat, face, face], 0)).problem).toBe("FACE_NOT_FOUND")
      })
    )
    it.effect("a face that moved between frames (no verdict to reuse) is confirmed on its own frame", () =>
      Effect.gen(function* () {
        // 200 px faces 240 px apart: their boxes barely overlap, so FaceMesh runs on the other frames.
        const left = yield* build(() => F.framedFace(F.frontalFace, 200, W / 2 - 120, H / 2))
        const right = yield* build(() => F.framedFace(F.frontalFace, 200, W / 2 + 120, H / 2))
        expect((yield* analyze([left, right, right], 0)).problem).toBeUndefined()
        const cat = yield* build(() => labelledStill(noPersonPhotos["a cat's face"]))
        expect((yield* analyze([left, right, cat], 0)).problem).toBe("FACE_NOT_FOUND")
      })
    )
    it.effect("a real face in every frame stays usable, and a second real face still counts", () =>
      Effect.gen(function* () {
        const face = yield* build(frontal)
        const moved = yield* build(() => F.framedFace(F.frontalFace, 310, W / 2 + 10, H / 2))
        const report = yield* analyze([face, moved, moved], 0)
        expect(report.problem).toBeUndefined()
        expect(report.measurements!.landmarkConfidence).toBeGreaterThanOrEqual(defaultFaceThresholds.min_face_presence)
        expect((yield* analyze([face, yield* build(() => F.groupFrame(6))], 0)).problem).toBe("TOO_MANY_FACES")
      })
    )
  })
})
