import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { CaptureDraftError, limits, loadEncoderKeys, record, seal } from "../../src/capture/index.js"
import { ContentTag, PlaintextTag, WEB_PLATFORM } from "../../src/capture/CaptureFormat.js"
import { encodePlaintext } from "../../src/capture/CaptureEncoder.js"
import { captureWith, engineFor, expectFailure, expectSuccess, freshKeys, jpeg } from "./helpers.js"

const failureOf = async (keys: string, capture: Uint8Array) => {
  const result = await (await engineFor(keys)).open(capture)
  if (result.ok) throw new Error("expected a refusal")
  return { code: result.codeName, tag: result.tag }
}

/** Splits a plaintext into its content and signature records (both well-formed here). */
const splitPlaintext = (plaintext: Buffer) => {
  const contentLength = plaintext.readUInt32BE(2)
  return { content: plaintext.subarray(6, 6 + contentLength), signature: plaintext.subarray(6 + contentLength + 6) }
}

const resealed = async (keys: string, edit: (content: Buffer) => Buffer) => {
  const encoderKeys = await loadEncoderKeys(keys)
  const draft = (await import("../../src/capture/GenuineSignals.js")).draftOf({
    frames: [await jpeg(5, 8, 8)],
    frameSize: { width: 8, height: 8 },
    capturedAt: 1_750_000_000_000,
    signals: { motion: [], touches: [] }
  })
  const { content, signature } = splitPlaintext(encodePlaintext(draft, encoderKeys))
  const plaintext = Buffer.concat([record(PlaintextTag.content, edit(content)), record(PlaintextTag.sdkSignature, signature)])
  return seal(plaintext, encoderKeys.servicePublic)
}

describe("native engine: format limits", () => {
  it("the encoder refuses drafts over the limits; the engine refuses them when built anyway", async () => {
    const keys = await freshKeys()
    const frame = await jpeg(9, 8, 8)
    const tooMany = Array.from({ length: limits.maxFrames + 1 }, () => frame)
    await expect(captureWith(keys, tooMany)).rejects.toThrow(CaptureDraftError)
    const built = await captureWith(keys, tooMany, {}, (d) => d, { skipLimitChecks: true })
    expect(await failureOf(keys, built)).toEqual({ code: "LIMIT_EXCEEDED", tag: ContentTag.frame })
    expectSuccess(await (await engineFor(keys)).open(await captureWith(keys, tooMany.slice(1))))
  })

  it("refuses oversize frames, short capture ids, too many motion samples, non-JPEG frames and a bad best frame", async () => {
    const keys = await freshKeys()
    const frame = await jpeg(9, 8, 8)
    const unchecked = { skipLimitChecks: true } as const
    const huge = Buffer.concat([frame, Buffer.alloc(limits.maxFrameBytes + 1 - frame.length)])
    expect(await failureOf(keys, await captureWith(keys, [huge], {}, (d) => d, unchecked))).toEqual({ code: "LIMIT_EXCEEDED", tag: 2 })
    expect(await failureOf(keys, await captureWith(keys, [frame], {}, (d) => ({ ...d, captureId: randomBytes(15) }), unchecked)))
      .toEqual({ code: "FIELD_SIZE", tag: ContentTag.captureId })
    const motion = Array.from({ length: limits.maxMotionSamples + 1 }, (_, t) => [t, 0, 9.8, 0, 0, 0, 0] as const)
    expect(await failureOf(keys, await captureWith(keys, [frame], { motion }, (d) => d, unchecked))).toEqual({ code: "LIMIT_EXCEEDED", tag: 1 })
    const png = await readFile(new URL("../../node_modules/sharp/package.json", import.meta.url)) // any non-JPEG bytes
    expect(await failureOf(keys, await captureWith(keys, [png], {}, (d) => d, unchecked))).toEqual({ code: "BAD_VALUE", tag: 2 })
    expect(await failureOf(keys, await captureWith(keys, [frame], {}, (d) => ({ ...d, bestFrame: 1 }), unchecked)))
      .toEqual({ code: "BAD_VALUE", tag: ContentTag.bestFrame })
    expect(await failureOf(keys, await captureWith(keys, [frame], { sdk: { name: "x".repeat(limits.maxSdkNameBytes + 1) } })))
      .toEqual({ code: "FIELD_SIZE", tag: 1 })
  })

  it("skips extension records, refuses unknown and repeated ones, and names missing fields", async () => {
    const keys = await freshKeys()
    const engine = await engineFor(keys)
    // Editing the content breaks the SDK signature, which is reported as a fact, not a parse error.
    const extended = expectSuccess(await engine.open(await resealed(keys, (c) => Buffer.concat([c, record(0x8001, Buffer.from("ext"))]))))
    expect(extended.integrity.sdkSignature).toBe("invalid")
    expect(expectFailure(await engine.open(await resealed(keys, (c) => Buffer.concat([c, record(0x0040, Buffer.alloc(1))]))))).toBe("UNKNOWN_FIELD")
    expect(expectFailure(await engine.open(await resealed(keys, (c) => Buffer.concat([c, c.subarray(0, 8)]))))).toBe("DUPLICATE_FIELD")
    expect(await failureOf(keys, await resealed(keys, (c) => c.subarray(8)))).toEqual({ code: "MISSING_FIELD", tag: ContentTag.formatVersion })
    expect(await failureOf(keys, await resealed(keys, (c) => Buffer.concat([record(1, Buffer.from([0, 2])), c.subarray(8)]))))
      .toEqual({ code: "UNSUPPORTED_FORMAT_VERSION", tag: 1 })
    expect(expectFailure(await engine.open(await resealed(keys, (c) => c.subarray(0, c.length - 1))))).toBe("MALFORMED_TLV")
  })

  it("C++ and TypeScript agree on every limit of the format", async () => {
    const header = await readFile(new URL("../../native/src/limits.h", import.meta.url), "utf8")
    const constant = (name: string) => {
      const match = new RegExp(`${name} = ([^;]+);`).exec(header)
      if (match === null) throw new Error(`${name} not in limits.h`)
      return Function(`return ${match[1]!.replace(/u\b/g, "").replace(/\/\/.*$/, "")}`)() as number
    }
    expect(constant("kMaxCaptureBytes")).toBe(limits.maxCaptureBytes)
    expect(constant("kMaxFrames")).toBe(limits.maxFrames)
    expect(constant("kMaxFrameBytes")).toBe(limits.maxFrameBytes)
    expect(constant("kMinCaptureIdBytes")).toBe(limits.minCaptureIdBytes)
    expect(constant("kMaxCaptureIdBytes")).toBe(limits.maxCaptureIdBytes)
    expect(constant("kMaxDeviceIdBytes")).toBe(limits.maxDeviceIdBytes)
    expect(constant("kMaxSdkNameBytes")).toBe(limits.maxSdkNameBytes)
    expect(constant("kMaxStatementBytes")).toBe(limits.maxStatementBytes)
    expect(constant("kMaxMotionSamples")).toBe(limits.maxMotionSamples)
    expect(constant("kMaxTouches")).toBe(limits.maxTouches)
    expect(constant("kMaxImageSide")).toBe(limits.maxImageSide)
    expect(constant("kMaxSessionTokenBytes")).toBe(limits.maxSessionTokenBytes)
    expect(/kWebPlatform\[\] = "([^"]+)"/.exec(header)?.[1]).toBe(WEB_PLATFORM)
    const addon = (await import("../../src/infra/native/NativeAddon.js")).loadNativeAddon()
    expect(addon.maxCaptureBytes).toBe(limits.maxCaptureBytes)
    expect(addon.formatVersion).toBe(1)
  })
})
