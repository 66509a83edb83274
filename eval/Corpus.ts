/**
 * The labelled evaluation corpus, built with the reference SDK from real face photos
 * (test/fixtures/face/faceFrames.ts: the face-api demo photos). Bona fide captures are simulated
 * hand-held bursts; each attack type has several variants, each drawn with random parameters.
 */
import { randomBytes } from "node:crypto"
import sharp from "sharp"
import {
  type CaptureDraft,
  type CaptureSignals,
  draftOf,
  encodeCapture,
  type EncoderKeys,
  simulateBurst,
  simulatedMotion
} from "../src/capture/index.js"
import type { PublicReason } from "../src/domain/PublicMessages.js"
import * as F from "../test/fixtures/face/faceFrames.js"

export type AttackType = Exclude<PublicReason, "None" | "Unknown">
export type Label = "BonaFide" | AttackType

export interface Sample {
  readonly label: Label
  /** Which recipe made it, for the per-variant breakdown. */
  readonly variant: string
  readonly bytes: Uint8Array
}

/** SDK builds the evaluation configures as revoked (`detection.revoked_sdk_versions`). */
export const REVOKED_SDK_VERSIONS = ["iad-capture-reference@0.9.0", "iad-capture-reference@0.9.1"]

const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(Math.random() * items.length)]!
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo)
const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1))

/** A still of the frontal face at a random size and position that passes the face checks. */
export const randomStill = (): Promise<Buffer> =>
  F.framedFace(F.frontalFace, int(230, 380), int(520, 760), int(300, 420))

/** Realistic simulated bursts of random stills, made once and drawn from by the recipes. */
export class FramePool {
  private constructor(readonly stills: ReadonlyArray<Buffer>, readonly bursts: ReadonlyArray<ReadonlyArray<Buffer>>) {}
  static async make(stills: number, burstsPerStill: number): Promise<FramePool> {
    const s: Array<Buffer> = []
    const b: Array<Array<Buffer>> = []
    for (let i = 0; i < stills; i++) {
      const still = await randomStill()
      s.push(still)
      for (let j = 0; j < burstsPerStill; j++) b.push(await simulateBurst([still], int(3, 5)))
    }
    return new FramePool(s, b)
  }
  burst(): ReadonlyArray<Buffer> {
    return pick(this.bursts)
  }
  still(): Buffer {
    return pick(this.stills)
  }
}

interface Recipe {
  readonly label: Label
  readonly variant: string
  readonly make: (pool: FramePool, keys: EncoderKeys) => Promise<Uint8Array>
}

const size = { width: F.FRAME_WIDTH, height: F.FRAME_HEIGHT }

const build = (frames: ReadonlyArray<Uint8Array>, keys: EncoderKeys, signals: CaptureSignals = {}, edit?: (d: CaptureDraft) => CaptureDraft) => {
  const draft = draftOf({ frames, frameSize: size, capturedAt: Date.now(), signals })
  return Promise.resolve(encodeCapture(edit === undefined ? draft : edit(draft), keys))
}

type MotionSample = readonly [number, number, number, number, number, number, number]
type Touch = readonly [number, number, number, number]

const sample7 = (values: ReadonlyArray<number>): MotionSample => {
  const [t = 0, ax = 0, ay = 0, az = 0, gx = 0, gy = 0, gz = 0] = values
  return [t, ax, ay, az, gx, gy, gz]
}

const motionOf = (durationMs: number, sample: (t: number) => ReadonlyArray<number>): Array<MotionSample> => {
  const out: Array<MotionSample> = []
  for (let t = 0; t <= durationMs; t += 10) out.push(sample7([t, ...sample(t)]))
  return out
}

const environmentFlags = ["emulator", "rooted", "hookingFramework", "debuggerAttached", "appRepackaged", "remoteControl"] as const

const reencode = (still: Buffer, quality: number, gain: number, blur: number) => {
  let p = sharp(still).linear(gain, 0)
  if (blur >= 0.3) p = p.blur(blur)
  return p.jpeg({ quality }).toBuffer()
}

export const recipes: ReadonlyArray<Recipe> = [
  { label: "BonaFide", variant: "burst", make: (pool, keys) => build(pool.burst(), keys, { frameIntervalMs: int(30, 70) }) },

  { label: "SdkIntegrityViolation", variant: "forged", make: (pool, keys) => build(pool.burst(), keys, { sdkSignature: "forged" }) },
  { label: "SdkIntegrityViolation", variant: "untrusted-key", make: (pool, keys) => build(pool.burst(), keys, { sdkSignature: "untrusted-key" }) },
  {
    label: "SdkIntegrityViolation",
    variant: "revoked-version",
    make: (pool, keys) => build(pool.burst(), keys, { sdk: { version: pick(REVOKED_SDK_VERSIONS).split("@")[1]! } })
  },

  ...(["missing", "forged", "other-capture", "other-device", "untrusted-authority"] as const).map((mode): Recipe => ({
    label: "UntrustedDevice",
    variant: `attestation-${mode}`,
    make: (pool, keys) => build(pool.burst(), keys, { attestation: mode })
  })),

  {
    label: "UntrustedEnvironment",
    variant: "flags",
    make: (pool, keys) => {
      const flags = environmentFlags.filter(() => Math.random() < 0.3)
      const chosen = flags.length > 0 ? flags : [pick(environmentFlags)]
      return build(pool.burst(), keys, { environment: Object.fromEntries(chosen.map((f) => [f, true])) })
    }
  },

  { label: "SuspiciousActivity", variant: "no-motion", make: (pool, keys) => build(pool.burst(), keys, { motion: [] }) },
  {
    label: "SuspiciousActivity",
    variant: "flat-motion",
    make: (pool, keys) => {
      const g = [between(-0.5, 0.5), between(9.5, 9.9), between(-0.5, 0.5), 0, 0, 0]
      return build(pool.burst(), keys, { motion: motionOf(1000, () => g) })
    }
  },
  {
    label: "SuspiciousActivity",
    variant: "no-gravity",
    make: (pool, keys) => {
      const real = simulatedMotion(1000).map(([t, ax, ay, az, ...gyro]) => sample7([t!, ax!, ay! - 9.81, az!, ...gyro]))
      return build(pool.burst(), keys, { motion: real })
    }
  },
  {
    label: "SuspiciousActivity",
    variant: "synthetic-sine",
    make: (pool, keys) => {
      const hz = between(6, 14)
      const amp = between(0.02, 0.2)
      const w = (t: number) => Math.sin((2 * Math.PI * hz * t) / 1000)
      return build(pool.burst(), keys, { motion: motionOf(1000, (t) => [amp * w(t), 9.81, amp * w(t + 7), 0.2 * amp * w(t), 0.2 * amp * w(t + 3), 0.1 * amp * w(t + 5)]) })
    }
  },
  {
    label: "SuspiciousActivity",
    variant: "gyro-silent",
    make: (pool, keys) => build(pool.burst(), keys, { motion: simulatedMotion(1000).map(([t, ax, ay, az]) => sample7([t!, ax!, ay!, az!])) })
  },
  {
    label: "SuspiciousActivity",
    variant: "touch-burst",
    make: (pool, keys) => {
      const start = int(20, 200)
      const gap = int(1, 35)
      const touches = Array.from({ length: int(2, 8) }, (_, i): Touch => [start + i * gap, between(0.1, 0.9), between(0.1, 0.9), between(0.2, 0.8)])
      return build(pool.burst(), keys, { touches })
    }
  },
  {
    label: "SuspiciousActivity",
    variant: "frames-faster-than-camera",
    make: (pool, keys) => build(pool.burst(), keys, { frameIntervalMs: int(2, 15), camera: { fps: pick([24, 25, 30]) } })
  },

  {
    label: "UntrustedCorruptedPayload",
    variant: "frames-out-of-order",
    make: (pool, keys) =>
      build(pool.burst(), keys, {}, (d) => {
        const offsets = d.frames.map((f) => f.offsetMs)
        const i = int(1, offsets.length - 1)
        ;[offsets[i - 1], offsets[i]] = [offsets[i]!, offsets[i - 1]!]
        return { ...d, frames: d.frames.map((f, k) => ({ ...f, offsetMs: offsets[k]! })) }
      })
  },
  {
    label: "UntrustedCorruptedPayload",
    variant: "truncated-frame",
    make: (pool, keys) => {
      const frames = [...pool.burst()]
      const i = int(0, frames.length - 1)
      frames[i] = frames[i]!.subarray(0, Math.floor(frames[i]!.length * between(0.3, 0.95)))
      return build(frames, keys)
    }
  },
  {
    label: "UntrustedCorruptedPayload",
    variant: "foreign-encoder",
    make: async (pool, keys) => {
      const frames = [...pool.burst()]
      const i = int(0, frames.length - 1)
      const table = int(1, 8)
      frames[i] = await sharp(frames[i]!).jpeg({ quality: int(70, 95), quantisationTable: table }).toBuffer()
      return build(frames, keys)
    }
  },
  {
    label: "UntrustedCorruptedPayload",
    variant: "low-quality",
    make: async (pool, keys) => {
      const quality = int(20, 69)
      const frames = await Promise.all(pool.burst().map((f) => sharp(f).jpeg({ quality }).toBuffer()))
      return build(frames, keys)
    }
  },
  {
    label: "UntrustedCorruptedPayload",
    variant: "mixed-sizes",
    make: async (pool, keys) => {
      const frames = [...pool.burst()]
      const i = int(0, frames.length - 1)
      frames[i] = await sharp(frames[i]!).resize(int(640, 1200), int(360, 700), { fit: "fill" }).jpeg({ quality: 90 }).toBuffer()
      return build(frames, keys)
    }
  },
  {
    label: "UntrustedCorruptedPayload",
    variant: "garbage-frame",
    make: (pool, keys) => {
      const frames = [...pool.burst()]
      frames[int(0, frames.length - 1)] = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(int(100, 50_000))])
      return build(frames, keys)
    }
  },

  { label: "UntrustedContent", variant: "virtual-camera-signal", make: (pool, keys) => build(pool.burst(), keys, { environment: { virtualCamera: true } }) },
  {
    label: "UntrustedContent",
    variant: "virtual-camera-name",
    make: (pool, keys) => {
      const name = pick(["OBS Virtual Camera", "ManyCam Virtual Webcam", "DroidCam Source 3", "Snap Camera", "e2eSoft VCam", "XSplit VCam", "Dummy video device (0x0000)", "AkVCam Virtual Camera", "NVIDIA Broadcast"])
      return build(pool.burst(), keys, { camera: { name: Math.random() < 0.5 ? name : name.toUpperCase() } })
    }
  },
  {
    label: "UntrustedContent",
    variant: "repeated-still",
    make: (pool, keys) => {
      const still = pool.still()
      return build(Array.from({ length: int(2, 6) }, () => still), keys)
    }
  },
  {
    label: "UntrustedContent",
    variant: "still-reencoded",
    make: async (pool, keys) => {
      // One quality per capture (one encoder), exposure drift and blur per frame, but no sensor noise.
      const still = pool.still()
      const quality = int(85, 95)
      const frames = await Promise.all(
        Array.from({ length: int(2, 5) }, () => reencode(still, quality, between(0.96, 1.04), between(0, 0.8)))
      )
      return build(frames, keys)
    }
  },

  { label: "UntrustedContentLowConfidence", variant: "single-frame", make: (pool, keys) => build([pool.burst()[0]!], keys) },
  {
    label: "UntrustedContentLowConfidence",
    variant: "resolution-mismatch",
    make: (pool, keys) => {
      const [width, height] = pick([[1920, 1080], [1280, 960], [640, 480], [3840, 2160]] as const)
      return build(pool.burst(), keys, { camera: { width, height } })
    }
  }
]

/** Per label: how many samples each of its variants gets so that the label has at least `perType`. */
export const corpusPlan = (perType: number, bonaFide: number): Array<{ recipe: Recipe; count: number }> =>
  recipes.map((recipe) => {
    const variants = recipes.filter((r) => r.label === recipe.label).length
    const total = recipe.label === "BonaFide" ? bonaFide : perType
    return { recipe, count: Math.ceil(total / variants) }
  })

export const makeSample = async (recipe: Recipe, pool: FramePool, keys: EncoderKeys): Promise<Sample> => ({
  label: recipe.label,
  variant: recipe.variant,
  bytes: await recipe.make(pool, keys)
})
