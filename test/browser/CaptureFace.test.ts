/**
 * The browser SDK in real Chromium: a page on loopback loads the bundle, `captureFace` reads
 * Chromium's fake camera (a y4m made from a real face photo with per-frame noise), and the
 * capture it returns is opened by the real native engine. Checks what a browser can observe
 * arrives intact: platform web, the burst, the camera label (the y4m path), automation signals,
 * the session token, and an unsigned-web integrity fact.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import sharp from "sharp"
import { generateKeys, keyFiles } from "../../src/capture/index.js"
import { loadEngineKeys } from "../../src/capture/KeysDir.js"
import { openWith } from "../../src/infra/native/NativeEngine.js"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import { buildSdk } from "../../sdk/web/build.mjs"
import { launchChromium, servePage } from "./chromium.js"
import { writeFaceY4m } from "./fakeCamera.js"

const GZIP_BUDGET_BYTES = 60 * 1024

/** Runs captureFace in the page; answers the capture bytes (base64 across the wire). */
const captureScript = (servicePem: string, sessionToken: string, frames: number) => `(async () => {
  const { captureFace } = await import("/iad-capture.js")
  const blob = await captureFace({
    servicePublicKey: ${JSON.stringify(servicePem)},
    sessionToken: ${JSON.stringify(sessionToken)},
    frames: ${frames},
    warmupMs: 300,
    container: document.getElementById("camera")
  })
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return { type: blob.type, base64: btoa(binary), previewLeft: document.querySelectorAll("[data-iad-capture]").length }
})()`

describe("browser SDK in Chromium", () => {
  it.scoped("captureFace makes a web capture the native engine opens, with what the browser observed", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "iad-browser-")))
      const y4m = join(dir, "face.y4m")
      const keysDir = join(dir, "keys")
      const bundle = join(dir, "iad-capture.js")
      const [built] = yield* Effect.all(
        [
          Effect.promise(() => buildSdk(bundle)),
          Effect.promise(() => writeFaceY4m(y4m)),
          Effect.promise(() => generateKeys(keysDir))
        ],
        { concurrency: "unbounded" }
      )
      expect(built.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES)

      const browser = yield* launchChromium(y4m)
      const url = yield* servePage(bundle)
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(url))
      const servicePem = yield* Effect.promise(() => readFile(join(keysDir, keyFiles.servicePublic), "utf8"))
      const sessionToken = "session-token.v1.ZXhhbXBsZQ"
      const started = Date.now()
      const answer = yield* Effect.promise(
        () => page.evaluate(captureScript(servicePem, sessionToken, 3)) as Promise<{ type: string; base64: string; previewLeft: number }>
      )
      const finished = Date.now()
      expect(answer.type).toBe("application/octet-stream")
      expect(answer.previewLeft).toBe(0) // the preview is removed when the capture ends

      const addon = loadNativeAddon()
      const engine = new addon.Engine(yield* Effect.promise(() => loadEngineKeys(keysDir)))
      const opened = yield* openWith(engine, Buffer.from(answer.base64, "base64"))
      const { contents, integrity } = opened.facts
      expect(integrity).toEqual({ sdkSignature: "unsigned-web", sdkKeyId: "", attestation: "missing" })
      expect(contents.sessionToken).toBe(Buffer.from(sessionToken, "utf8").toString("hex"))
      expect(contents.sdk).toEqual({ name: "iad-capture-web", version: "1.0.0", platform: "web" })
      expect(contents.camera).toEqual({ name: y4m, width: 1280, height: 720, fps: 30 })
      // Automation (navigator.webdriver), headless Chromium (its user agent, SwiftShader) and the
      // fake device (a .y4m label) are all reported.
      expect(contents.environment.remoteControl).toBe(true)
      expect(contents.environment.emulator).toBe(true)
      expect(contents.environment.virtualCamera).toBe(true)
      expect(contents.createdAt).toBeGreaterThanOrEqual(started - 5_000)
      expect(contents.createdAt).toBeLessThanOrEqual(finished)

      expect(contents.frames).toHaveLength(3)
      expect(contents.bestFrame).toBe(1)
      const offsets = contents.frames.map((f) => f.offsetMs)
      // Consecutive camera frames at the stream's timing: 30 fps is ~33 ms apart.
      for (let i = 1; i < offsets.length; i++) {
        expect(offsets[i]! - offsets[i - 1]!).toBeGreaterThanOrEqual(15)
        expect(offsets[i]! - offsets[i - 1]!).toBeLessThanOrEqual(200)
      }
      const sizes = yield* Effect.promise(() => Promise.all(contents.frames.map((f) => sharp(f.jpeg).metadata())))
      expect(sizes.map((m) => [m.format, m.width, m.height])).toEqual(Array(3).fill(["jpeg", 1280, 720]))
      // Sensor noise makes every frame's bytes distinct, as a camera's are.
      const digests = new Set(contents.frames.map((f) => Buffer.from(f.jpeg).toString("base64")))

      expect(digests.size).toBe(3)
      // The face is in the middle of the frame, where the y4m put it: bright, not black.
      const centre = yield* Effect.promise(() =>
        sharp(contents.frames[1]!.jpeg).extract({ left: 600, top: 320, width: 80, height: 80 }).stats()
      )
      expect(centre.channels[0]!.mean).toBeGreaterThan(60)
    }), 90_000)

  it.scoped("a camera that repeats frames: the burst skips the repeats and holds distinct frames", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "iad-browser-")))
      const y4m = join(dir, "face.y4m")
      const keysDir = join(dir, "keys")
      const bundle = join(dir, "iad-capture.js")
      // Each frame three times: every camera frame is followed by two repeats of it.
      yield* Effect.promise(() => Promise.all([buildSdk(bundle), writeFaceY4m(y4m, 30, 3), generateKeys(keysDir)]))
      const browser = yield* launchChromium(y4m)
      const url = yield* servePage(bundle)
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(url))
      const servicePem = yield* Effect.promise(() => readFile(join(keysDir, keyFiles.servicePublic), "utf8"))
      const answer = yield* Effect.promise(
        () => page.evaluate(captureScript(servicePem, "session-token.v1.ZXhhbXBsZQ", 3)) as Promise<{ base64: string }>
      )
      const addon = loadNativeAddon()
      const engine = new addon.Engine(yield* Effect.promise(() => loadEngineKeys(keysDir)))
      const { contents } = (yield* openWith(engine, Buffer.from(answer.base64, "base64"))).facts
      expect(contents.frames).toHaveLength(3)
      const pixels = yield* Effect.promise(() => Promise.all(contents.frames.map((f) => sharp(f.jpeg).raw().toBuffer())))
      for (let i = 1; i < pixels.length; i++) expect(pixels[i]!.equals(pixels[i - 1]!)).toBe(false)
    }), 90_000)

  it.scoped("bad options are refused before the camera opens: empty or oversize token, bad key, frame count", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "iad-browser-")))
      const y4m = join(dir, "face.y4m")
      const bundle = join(dir, "iad-capture.js")
      yield* Effect.promise(() => Promise.all([buildSdk(bundle), writeFaceY4m(y4m, 2)]))
      const browser = yield* launchChromium(y4m)
      const url = yield* servePage(bundle)
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(url))
      const refusals = yield* Effect.promise(() =>
        page.evaluate(`(async () => {
          const { captureFace } = await import("/iad-capture.js")
          const key = "${"ab".repeat(32)}"
          const tries = [
            { servicePublicKey: key, sessionToken: "" },
            { servicePublicKey: key, sessionToken: new Uint8Array(1025) },
            { servicePublicKey: "not a key", sessionToken: "t" },
            { servicePublicKey: key, sessionToken: "t", frames: 17 }
          ]
          const out = []
          for (const options of tries) {
            out.push(await captureFace(options).then(() => "captured", (e) => e.name + ": " + e.message))
          }
          return { out, previews: document.querySelectorAll("[data-iad-capture]").length }
        })()`) as Promise<{ out: Array<string>; previews: number }>
      )
      expect(refusals.out).toEqual([
        "RangeError: sessionToken must be 1..1024 bytes",
        "RangeError: sessionToken must be 1..1024 bytes",
        "Error: servicePublicKey is not an X25519 public key (PEM, base64 or hex of 32 bytes)",
        "RangeError: frames must be 1..16"
      ])
      expect(refusals.previews).toBe(0)
    }), 60_000)
})
