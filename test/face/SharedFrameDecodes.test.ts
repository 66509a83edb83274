/**
 * One decode per frame shared by the forensics and the face analysis: a second caller gets the
 * first's decode, `take` hands finished pixels over once, failures are not kept; and a worker sent
 * those pixels (in shared pixel slots, or transferred when none is free) answers exactly as when it
 * decodes the frames itself.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FiberRef, Ref } from "effect"
import { join } from "node:path"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { makeFrameSlots, type FrameSlots } from "../../src/infra/face/FrameSlots.js"
import { decoderWithSentPixels } from "../../src/infra/face/SentPixelsDecoder.js"
import { workerFaceAnalyzerLayer } from "../../src/infra/face/WorkerFaceAnalyzer.js"
import { loadNativeAddon, type NativeScaledJpeg } from "../../src/infra/native/NativeAddon.js"
import { frameForensics } from "../../src/infra/native/NativeForensics.js"
import { currentFrameLease, makeSharedFrameDecodes, type SharedFrameDecodes } from "../../src/infra/SharedFrameDecodes.js"
import * as F from "../fixtures/face/faceFrames.js"

const addon = loadNativeAddon()
const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT

describe("SharedFrameDecodes", () => {
  it.effect("decodes a frame once per shrink; take hands the finished pixels over once", () =>
    Effect.gen(function* () {
      const calls: Array<number> = []
      const decodes = makeSharedFrameDecodes((jpeg, shrink) => {
        calls.push(shrink)
        return addon.decodeJpegScaled(jpeg, shrink)
      })
      const frame = yield* Effect.promise(() => F.framedFace(F.frontalFace, 300, W / 2, H / 2))
      expect(decodes.take(frame)).toBeUndefined()
      const [a, b] = yield* Effect.promise(() => Promise.all([decodes.decode(frame, 4), decodes.decode(frame, 4)]))
      expect(a).toBe(b)
      expect(calls).toEqual([4])
      const taken = decodes.take(frame)
      expect(taken).toMatchObject({ shrink: 4, width: 320, height: 180 })
      expect(taken!.rgb).toBe((a as Extract<NativeScaledJpeg, { status: "ok" }>).rgb)
      expect(decodes.take(frame)).toBeUndefined()
      // Another shrink is another decode.
      yield* Effect.promise(() => decodes.decode(frame, 8))
      expect(calls).toEqual([4, 8])
    })
  )

  it.effect("keeps no failed decode, and nothing to take for a frame the decoder refuses", () =>
    Effect.gen(function* () {
      let fail = true
      const decodes = makeSharedFrameDecodes((jpeg, shrink) => (fail ? Promise.reject(new Error("boom")) : addon.decodeJpegScaled(jpeg, shrink)))
      const frame = yield* Effect.promise(() => F.framedFace(F.frontalFace, 300, W / 2, H / 2))
      yield* Effect.flip(Effect.tryPromise(() => decodes.decode(frame, 4)))
      fail = false
      expect((yield* Effect.promise(() => decodes.decode(frame, 4))).status).toBe("ok")
      const garbage = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
      expect((yield* Effect.promise(() => decodes.decode(garbage, 4))).status).not.toBe("ok")
      expect(decodes.take(garbage)).toBeUndefined()
    })
  )

  const testFrames = () =>
    Promise.all([F.framedFace(F.frontalFace, 300, W / 2, H / 2), F.framedFace(F.frontalFace, 310, W / 2 + 10, H / 2), F.groupFrame(1)])
  const cases = (frames: ReadonlyArray<Uint8Array>) => [[frames.slice(0, 2), 0], [frames.slice(0, 2), 1], [frames, 0]] as const
  const options = { modelsDir: join(process.cwd(), "models"), workers: 1, thresholds: Ref.get(Ref.unsafeMake(defaultFaceThresholds)) }
  /** Each case on workers that decode every frame themselves, given `frameSlots` (default: none, every frame cloned). */
  const analyzeAlone = (frames: ReadonlyArray<Uint8Array>, frameSlots: FrameSlots = makeFrameSlots(0)) =>
    Effect.gen(function* () {
      const faces = yield* FaceAnalyzer
      const reports = []
      for (const [subset, best] of cases(frames)) {
        reports.push(yield* faces.analyze(subset, best))
        expect(frameSlots.inUse()).toBe(0)
      }
      return reports
    }).pipe(Effect.provide(workerFaceAnalyzerLayer({ ...options, frameSlots })))

  /** Shared decodes that remember, per frame, the pixels of the decode they made (decodes finish in any order). */
  const recordingDecodes = () => {
    const decodedPixels = new Map<Uint8Array, Uint8Array>()
    const shared = makeSharedFrameDecodes(async (jpeg, shrink) => {
      const decoded = await addon.decodeJpegScaled(jpeg, shrink)
      if (decoded.status === "ok") decodedPixels.set(jpeg, decoded.rgb)
      return decoded
    })
    return { shared, decodedPixels }
  }
  /** The byte length of each frame's recorded decode, in frame order (0 once transferred away). */
  const decodedBytes = (subset: ReadonlyArray<Uint8Array>, decodedPixels: ReadonlyMap<Uint8Array, Uint8Array>) =>
    subset.map((frame) => decodedPixels.get(frame)?.byteLength)

  /**
   * Each case as in a capture's pipeline (the forensics decode first, then the analysis), through
   * workers given the shared decodes and `frameSlots`; `afterEach` checks what the case left.
   */
  const analyzeShared = (
    frames: ReadonlyArray<Uint8Array>,
    frameSlots: FrameSlots,
    afterEach: (subset: ReadonlyArray<Uint8Array>, decodedPixels: ReadonlyMap<Uint8Array, Uint8Array>, shared: SharedFrameDecodes) => void
  ) => {
    const { shared, decodedPixels } = recordingDecodes()
    return Effect.gen(function* () {
      const faces = yield* FaceAnalyzer
      const reports = []
      for (const [subset, best] of cases(frames)) {
        decodedPixels.clear()
        yield* frameForensics(addon, subset, shared.decode)
        expect(decodedBytes(subset, decodedPixels)).toEqual(subset.map(() => 320 * 180 * 3))
        reports.push(yield* faces.analyze(subset, best))
        afterEach(subset, decodedPixels, shared)
        expect(frameSlots.inUse()).toBe(0)
      }
      return reports
    }).pipe(Effect.provide(workerFaceAnalyzerLayer({ ...options, decodes: shared, frameSlots })))
  }

  it.effect("the worker answers the same from the forensics' pixels, sent in pixel slots that are free again after each answer", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFrames)
      const alone = yield* analyzeAlone(frames)
      const withShared = yield* analyzeShared(frames, makeFrameSlots(8), (subset, decodedPixels, shared) => {
        // Copied into slots (the service's buffers stay whole) and taken once.
        expect(decodedBytes(subset, decodedPixels)).toEqual(subset.map(() => 320 * 180 * 3))
        for (const frame of subset) expect(shared.take(frame)).toBeUndefined()
      })
      expect(alone.map((r) => r.problem)).toEqual([undefined, undefined, "TOO_MANY_FACES"])
      expect(withShared).toEqual(alone)
    }), { timeout: 120_000 })

  it.effect("the worker reads the pixels in the slot, not a decode of its own", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFrames)
      const { shared } = recordingDecodes()
      // Slots that receive black pixels instead of the decodes (the JPEG bytes as they are): a worker reading them sees no face.
      const slots = makeFrameSlots(8)
      const pixelBytes = 320 * 180 * 3
      const blackSlots: FrameSlots = { ...slots, store: (bytes) => slots.store(bytes.byteLength === pixelBytes ? new Uint8Array(pixelBytes) : bytes) }
      const report = yield* Effect.gen(function* () {
        yield* frameForensics(addon, frames.slice(0, 1), shared.decode)
        return yield* (yield* FaceAnalyzer).analyze(frames.slice(0, 1), 0)
      }).pipe(Effect.provide(workerFaceAnalyzerLayer({ ...options, decodes: shared, frameSlots: blackSlots })))
      expect(report.problem).toBe("FACE_NOT_FOUND")
      expect(slots.inUse()).toBe(0)
    }), { timeout: 120_000 })

  it.effect("the frames' bytes go in slots too: the worker reads them there, answers as from cloned frames, and the slots are free after", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFrames)
      const cloned = yield* analyzeAlone(frames)
      const stored: Array<number> = []
      const slots = makeFrameSlots(3)
      const recording: FrameSlots = { ...slots, store: (bytes) => (stored.push(bytes.byteLength), slots.store(bytes)) }
      expect(yield* analyzeAlone(frames, recording)).toEqual(cloned)
      expect(stored.slice(0, 2)).toEqual(frames.slice(0, 2).map((frame) => frame.byteLength))
      // Two slots for three frames: two go in slots, the third is cloned, in its place in the request.
      expect(yield* analyzeAlone(frames, makeFrameSlots(2))).toEqual(cloned)
      // Slots holding zeros instead of the JPEG bytes: the worker decodes what it finds there.
      const zeroing: FrameSlots = { ...slots, store: (bytes) => slots.store(new Uint8Array(bytes.byteLength)) }
      const failure = yield* Effect.flip(analyzeAlone(frames.slice(0, 1), zeroing))
      expect(failure.kind).toBe("UndecodableFrame")
      expect(slots.inUse()).toBe(0)
    }), { timeout: 120_000 })

  it.effect("with every slot taken, the pixels are transferred instead, and the answers are the same", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFrames)
      const alone = yield* analyzeAlone(frames)
      const withShared = yield* analyzeShared(frames, makeFrameSlots(1), (subset, decodedPixels) => {
        // The first frame went in the only slot (copied); the others were transferred (detached here).
        expect(decodedBytes(subset, decodedPixels)).toEqual(subset.map((_, i) => (i === 0 ? 320 * 180 * 3 : 0)))
      })
      expect(withShared).toEqual(alone)
    }), { timeout: 120_000 })
})

describe("SharedFrameDecodes in a capture's lease", () => {
  const addonDecoder = (jpeg: Uint8Array, shrink: 2 | 4 | 8, target?: Uint8Array) => addon.decodeJpegScaled(jpeg, shrink, target)
  const okPixels = (decoded: NativeScaledJpeg) => (decoded.status === "ok" ? decoded.rgb : undefined)

  it.effect("decodes into frame slots inside a lease (the addon's own pixels, no copy), and frees them when the lease ends", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFramesForLease)
      const slots = makeFrameSlots(8)
      const decodes = makeSharedFrameDecodes(addonDecoder, slots)
      const outside = okPixels(yield* Effect.promise(() => decodes.decode(frames[0]!, 4)))!
      expect(outside.buffer).not.toBe(slots.memory)
      expect(slots.inUse()).toBe(0)
      const inLease = yield* decodes.withLease(
        Effect.gen(function* () {
          const lease = yield* FiberRef.get(currentFrameLease)
          const decoded = yield* Effect.promise(() => Promise.all(frames.slice(1, 3).map((frame) => decodes.decodeIn(lease)(frame, 4))))
          expect(slots.inUse()).toBe(2)
          const pixels = decoded.map((d) => okPixels(d)!)
          for (const rgb of pixels) expect(rgb.buffer).toBe(slots.memory)
          // The same pixels as a decode of its own, bit for bit.
          for (const [i, frame] of frames.slice(1, 3).entries()) {
            expect(Buffer.from(pixels[i]!).equals(Buffer.from(okPixels(yield* Effect.promise(() => addon.decodeJpegScaled(frame, 4)))!))).toBe(true)
          }
          const taken = decodes.take(frames[1]!)
          expect(taken?.slot).toBeDefined()
          expect(taken?.rgb).toBe(pixels[0])
          return frames[2]!
        })
      )
      // The lease ended: its slots are free once its decodes settled (here: already), and its untaken frame is forgotten.
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      expect(slots.inUse()).toBe(0)
      expect(decodes.take(inLease)).toBeUndefined()
      // A lease from another instance is not this one's: no slot.
      const other = makeSharedFrameDecodes(addonDecoder, slots)
      const foreign = yield* other.withLease(Effect.flatMap(FiberRef.get(currentFrameLease), (lease) => Effect.promise(() => decodes.decodeIn(lease)(frames[3]!, 4))))
      expect(okPixels(foreign)!.buffer).not.toBe(slots.memory)
    }))

  it.effect("keeps a slot taken after its lease ends until the decode writing it has settled", () =>
    Effect.gen(function* () {
      const slots = makeFrameSlots(2)
      let finish: (() => void) | undefined
      const decodes = makeSharedFrameDecodes(
        (_jpeg, _shrink, target) =>
          new Promise((resolve) => {
            finish = () => resolve({ status: "ok", width: 1, height: 1, rgb: target!.subarray(0, 3) })
          }),
        slots
      )
      // The work ends (as an interrupted request would) with the decode still running.
      yield* decodes.withLease(Effect.flatMap(FiberRef.get(currentFrameLease), (lease) => Effect.sync(() => void decodes.decodeIn(lease)(new Uint8Array([1]), 4))))
      expect(slots.inUse()).toBe(1)
      finish!()
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      expect(slots.inUse()).toBe(0)
    }))

  it.effect("with every slot taken, a decode in a lease makes a buffer of its own", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFramesForLease)
      const slots = makeFrameSlots(1)
      const decodes = makeSharedFrameDecodes(addonDecoder, slots)
      yield* decodes.withLease(
        Effect.gen(function* () {
          const lease = yield* FiberRef.get(currentFrameLease)
          const [a, b] = yield* Effect.promise(() => Promise.all(frames.slice(0, 2).map((frame) => decodes.decodeIn(lease)(frame, 4))))
          expect(okPixels(a!)!.buffer).toBe(slots.memory)
          expect(okPixels(b!)!.buffer).not.toBe(slots.memory)
          expect(decodes.take(frames[1]!)?.slot).toBeUndefined()
        })
      )
    }))

  it.effect("the worker answers the same from pixels decoded into slots, as in the service (forensics, then analysis, in one lease)", () =>
    Effect.gen(function* () {
      const frames = yield* Effect.promise(testFramesForLease)
      const options = { modelsDir: join(process.cwd(), "models"), workers: 1, thresholds: Ref.get(Ref.unsafeMake(defaultFaceThresholds)) }
      const alone = yield* Effect.flatMap(FaceAnalyzer, (faces) => faces.analyze(frames.slice(0, 3), 0)).pipe(
        Effect.provide(workerFaceAnalyzerLayer({ ...options, frameSlots: makeFrameSlots(0) }))
      )
      const slots = makeFrameSlots(8)
      const decodes = makeSharedFrameDecodes(addonDecoder, slots)
      const stored: Array<number> = []
      const recording: FrameSlots = { ...slots, store: (bytes) => (stored.push(bytes.byteLength), slots.store(bytes)) }
      const inLease = yield* decodes.withLease(
        Effect.gen(function* () {
          const lease = yield* FiberRef.get(currentFrameLease)
          yield* frameForensics(addon, frames.slice(0, 3), decodes.decodeIn(lease))
          return yield* (yield* FaceAnalyzer).analyze(frames.slice(0, 3), 0)
        })
      ).pipe(Effect.provide(workerFaceAnalyzerLayer({ ...options, decodes, frameSlots: recording })))
      expect(inLease).toEqual(alone)
      // Only the JPEG bytes were copied into slots: the pixels were already in theirs.
      expect(stored).toEqual(frames.slice(0, 3).map((frame) => frame.byteLength))
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      expect(slots.inUse()).toBe(0)
    }), { timeout: 120_000 })
})

const testFramesForLease = () =>
  Promise.all([
    F.framedFace(F.frontalFace, 300, W / 2, H / 2),
    F.framedFace(F.frontalFace, 310, W / 2 + 10, H / 2),
    F.groupFrame(1),
    F.framedFace(F.frontalFace, 290, W / 2 - 10, H / 2)
  ])

describe("decoderWithSentPixels", () => {
  it.effect("serves a sent frame at its shrink from the sent pixels, and decodes anything else", () =>
    Effect.gen(function* () {
      const calls: Array<readonly [Uint8Array, number]> = []
      const decoder = (jpeg: Uint8Array, scale: 2 | 4 | 8) => {
        calls.push([jpeg, scale])
        return Promise.resolve({ status: "corrupt" } as const)
      }
      const [a, b] = [new Uint8Array([1]), new Uint8Array([2])]
      const rgb = new Uint8Array(2 * 3 * 3)
      const decode = decoderWithSentPixels(decoder, [a, b], [{ shrink: 4, width: 2, height: 3, rgb }, null])
      expect(yield* Effect.promise(() => decode(a, 4))).toEqual({ status: "ok", width: 2, height: 3, rgb })
      expect(calls).toEqual([])
      yield* Effect.promise(() => decode(a, 8))
      yield* Effect.promise(() => decode(b, 4))
      yield* Effect.promise(() => decode(new Uint8Array([1]), 4))
      expect(calls.map(([jpeg, scale]) => [jpeg[0], scale])).toEqual([[1, 8], [2, 4], [1, 4]])
    })
  )

  it.effect("serves a frame sent in a slot from the shared memory, and decodes it when the slot is not there", () =>
    Effect.gen(function* () {
      const calls: Array<number> = []
      const decoder = (jpeg: Uint8Array) => {
        calls.push(jpeg[0]!)
        return Promise.resolve({ status: "corrupt" } as const)
      }
      const slots = makeFrameSlots(2)
      const pixels = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i + 1)
      expect(slots.store(new Uint8Array(5))).toBe(0)
      expect(slots.store(pixels)).toBe(1)
      const [a, b] = [new Uint8Array([1]), new Uint8Array([2])]
      const sent = [{ shrink: 4, width: 2, height: 3, slot: 1 }, { shrink: 4, width: 2, height: 3, slot: 7 }] as const
      const decode = decoderWithSentPixels(decoder, [a, b], sent, slots.memory)
      const served = yield* Effect.promise(() => decode(a, 4))
      expect(served.status === "ok" && [...served.rgb]).toEqual([...pixels])
      // Slot 7 is outside the memory: the worker decodes the frame itself.
      expect((yield* Effect.promise(() => decode(b, 4))).status).toBe("corrupt")
      // Without the shared memory (a worker started without it), every slot frame is decoded.
      expect((yield* Effect.promise(() => decoderWithSentPixels(decoder, [a, b], sent)(a, 4))).status).toBe("corrupt")
      expect(calls).toEqual([2, 1])
    })
  )
})
