import { describe, expect, it } from "@effect/vitest"
import { readFile } from "node:fs/promises"
import { buildCapture } from "../../src/capture/index.js"
import { captureWith, engineFor, expectFailure, expectSuccess, freshKeys, jpeg } from "./helpers.js"

describe("native engine: round trip", () => {
  it("keygen -> build -> open returns the exact bytes of every frame and the declared metadata", async () => {
    const keys = await freshKeys()
    const frames = [await jpeg(10), await jpeg(120), await jpeg(240)]
    const capture = await buildCapture({
      keysDir: keys,
      frames,
      capturedAt: 1_760_000_000_123,
      signals: { captureId: "00112233445566778899aabbccddeeff00", environment: { rooted: true }, faceScore: 0.5 }
    })
    const opened = expectSuccess(await (await engineFor(keys)).open(capture))
    expect(opened.capture.frames.map((f) => Buffer.from(f.jpeg))).toEqual(frames)
    expect(opened.capture.bestFrame).toBe(1)
    expect(Buffer.from(opened.capture.frames[opened.capture.bestFrame]!.jpeg).equals(frames[1]!)).toBe(true)
    expect(opened.capture.captureId).toBe("00112233445566778899aabbccddeeff00")
    expect(opened.capture.createdAt).toBe(1_760_000_000_123)
    expect(opened.capture.faceScore).toBe(0.5)
    expect(opened.capture.environment).toMatchObject({ rooted: true, emulator: false, virtualCamera: false })
    expect(opened.capture.camera).toEqual({ name: "front camera", width: 32, height: 24, fps: 30 })
    expect(opened.capture.frames.map((f) => f.offsetMs)).toEqual([0, 33, 66])
    expect(opened.capture.activity.motion.length % 7).toBe(0)
    expect(opened.capture.activity.motion.length / 7).toBeGreaterThan(50)
    expect(opened.capture.activity.touches.length).toBe(4)
    expect(opened.integrity).toMatchObject({ sdkSignature: "valid", attestation: "valid" })
  })

  it("the CLI builds and inspects a capture (npx iad-capture)", async () => {
    const { execFile } = await import("node:child_process")
    const { promisify } = await import("node:util")
    const { join } = await import("node:path")
    const { writeFile, mkdtemp } = await import("node:fs/promises")
    const { tmpdir } = await import("node:os")
    const run = (args: Array<string>) => promisify(execFile)("node", ["bin/iad-capture.js", ...args], { cwd: process.cwd() })
    const dir = await mkdtemp(join(tmpdir(), "iad-cli-"))
    await run(["keygen", "--out", join(dir, "keys")])
    await writeFile(join(dir, "a.jpg"), await jpeg(50))
    await writeFile(join(dir, "signals.json"), JSON.stringify({ environment: { emulator: true }, attestation: "missing" }))
    await run(["build", "--keys", join(dir, "keys"), "--image", join(dir, "a.jpg"), "--signals", join(dir, "signals.json"),
      "--captured-at", "2025-01-02T03:04:05.678Z", "--out", join(dir, "c.iad")])
    const { stdout } = await run(["inspect", "--keys", join(dir, "keys"), join(dir, "c.iad")])
    const summary = JSON.parse(stdout)
    expect(summary).toMatchObject({
      ok: true,
      createdAt: Date.parse("2025-01-02T03:04:05.678Z"),
      environment: { emulator: true },
      integrity: { sdkSignature: "valid", attestation: "missing" }
    })
    expect(summary.frames[0].bytes).toBe((await readFile(join(dir, "a.jpg"))).length)
    expect(stdout).not.toMatch(/jpeg|\/9j\//) // no image bytes in the summary
  }, 60_000)

  it("--burst turns each still into N distinct JPEG frames of the same size", async () => {
    const keys = await freshKeys()
    const capture = await buildCapture({ keysDir: keys, frames: [await jpeg(90, 64, 48)], burst: 3 })
    const opened = expectSuccess(await (await engineFor(keys)).open(capture))
    const frames = opened.capture.frames.map((f) => Buffer.from(f.jpeg))
    expect(frames).toHaveLength(3)
    expect(new Set(frames.map((f) => f.toString("base64"))).size).toBe(3)
    const sharp = (await import("sharp")).default
    for (const frame of frames) expect(await sharp(frame).metadata()).toMatchObject({ format: "jpeg", width: 64, height: 48 })
  })

  it("opens a 3-frame 1280x720 capture well within a frame budget", async () => {
    const keys = await freshKeys()
    const frames = await Promise.all([0, 1, 2].map((i) => jpeg(40 + i * 50, 1280, 720)))
    const capture = await captureWith(keys, frames)
    const engine = await engineFor(keys)
    expectSuccess(await engine.open(capture))
    const started = performance.now()
    for (let i = 0; i < 20; i++) expectSuccess(await engine.open(capture))
    expect((performance.now() - started) / 20).toBeLessThan(50) // generous: the bench measures the real figure
  })

  it("refuses input that is not a capture with a typed code", async () => {
    const engine = await engineFor(await freshKeys())
    expect(expectFailure(await engine.open(new Uint8Array(0)))).toBe("TRUNCATED")
    expect(expectFailure(await engine.open(Buffer.from("GIF89a this is not a capture at all, not even close......")))).toBe("BAD_MAGIC")
    expect(expectFailure(await engine.open(new Uint8Array(16 * 1024 * 1024 + 1)))).toBe("TOO_LARGE")
  })
})
