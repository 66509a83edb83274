/**
 * The browser SDK's encoder and envelope (sdk/web/src), run in Node's WebCrypto against the real
 * native engine: both key agreements (WebCrypto X25519 and the @noble/curves fallback), every key
 * form an integrator may pass, the observed signals as the engine reads them, and the limits.
 */
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { keyFiles } from "../../src/capture/index.js"
import { agreeWithNoble, agreeWithWebCrypto, seal, servicePublicKeyOf } from "../../sdk/web/src/envelope.js"
import { environmentFlags } from "../../sdk/web/src/signals.js"
import { encodeWebPlaintext, WebCaptureError, type WebCaptureDraft } from "../../sdk/web/src/webCapture.js"
import { engineFor, expectSuccess, freshKeys, jpeg } from "../native/helpers.js"

const draftWith = async (overrides: Partial<WebCaptureDraft> = {}): Promise<WebCaptureDraft> => ({
  captureId: randomBytes(16),
  createdAt: 1_780_000_000_000,
  sdkName: "iad-capture-web",
  sdkVersion: "1.0.0",
  camera: { name: "FaceTime HD Camera", width: 1280, height: 720, fps: 29.97 },
  frames: [{ offsetMs: 900.4, jpeg: await jpeg(10) }, { offsetMs: 933.6, jpeg: await jpeg(20) }],
  bestFrame: 1,
  faceScore: 0,
  environment: environmentFlags({
    webdriver: false,
    headless: false,
    webglRenderer: "ANGLE (Apple, Apple M1, OpenGL 4.1)",
    softwareRenderer: false,
    virtualCameraLabel: false,
    hiddenDuringCapture: true
  }),
  device: { id: randomBytes(16), manufacturer: "", model: "Chrome 140.0.1", os: "macOS", osVersion: "15.1.0" },
  motion: [[10, 0.1, 9.8, 0.2, 0.01, 0.02, 0.03]],
  touches: [[5, 0.5, 0.9, 0.5]],
  sessionToken: new TextEncoder().encode("token-1"),
  ...overrides
})

describe("browser SDK encoder and envelope (Node WebCrypto)", () => {
  it("both key agreements seal captures the engine opens, with every field as observed", async () => {
    const keys = await freshKeys()
    const engine = await engineFor(keys)
    const pem = await readFile(join(keys, keyFiles.servicePublic), "utf8")
    for (const agreement of [agreeWithWebCrypto, agreeWithNoble]) {
      const draft = await draftWith()
      const opened = expectSuccess(await engine.open(await seal(encodeWebPlaintext(draft), pem, agreement)))
      expect(opened.integrity).toEqual({ sdkSignature: "unsigned-web", sdkKeyId: "", attestation: "missing" })
      expect(opened.capture).toMatchObject({
        captureId: Buffer.from(draft.captureId).toString("hex"),
        createdAt: draft.createdAt,
        sdk: { name: "iad-capture-web", version: "1.0.0", platform: "web" },
        camera: { name: "FaceTime HD Camera", width: 1280, height: 720, fps: 29.97 },
        bestFrame: 1,
        faceScore: 0,
        // Only what the SDK observed is on the wire; hidden page -> remoteControl.
        environment: { remoteControl: true, emulator: false, virtualCamera: false, rooted: false },
        device: { id: Buffer.from(draft.device.id).toString("hex"), model: "Chrome 140.0.1", os: "macOS", osVersion: "15.1.0" },
        sessionToken: Buffer.from("token-1").toString("hex")
      })
      expect(opened.capture.frames.map((f) => f.offsetMs)).toEqual([900, 934])
      expect(Buffer.from(opened.capture.frames[1]!.jpeg).equals(draft.frames[1]!.jpeg)).toBe(true)
      expect(Array.from(opened.capture.activity.touches)).toEqual([5, 0.5, Math.fround(0.9), 0.5])
    }
  })

  it("the service key in every form an integrator has: PEM, base64 and hex of raw or SPKI, bytes", async () => {
    const keys = await freshKeys()
    const pem = await readFile(join(keys, keyFiles.servicePublic), "utf8")
    const spki = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64")
    const raw = spki.subarray(12)
    for (const form of [pem, spki.toString("base64"), spki.toString("hex"), raw.toString("base64"), raw.toString("hex"), raw, spki]) {
      expect(Buffer.from(servicePublicKeyOf(form)).equals(raw)).toBe(true)
    }
    const engine = await engineFor(keys)
    expectSuccess(await engine.open(await seal(encodeWebPlaintext(await draftWith()), raw.toString("base64"))))
    // An Ed25519 SPKI (sdk.pub) is not the service's X25519 key.
    const sdkPem = await readFile(join(keys, keyFiles.sdkPublic), "utf8")
    expect(() => servicePublicKeyOf(sdkPem)).toThrow(/not an X25519 public key/)
    expect(() => servicePublicKeyOf(randomBytes(31))).toThrow(/not an X25519 public key/)
  })

  it("another service's key gives a capture this service cannot open", async () => {
    const [ours, theirs] = await Promise.all([freshKeys(), freshKeys()])
    const theirPem = await readFile(join(theirs, keyFiles.servicePublic), "utf8")
    const result = await (await engineFor(ours)).open(await seal(encodeWebPlaintext(await draftWith()), theirPem))
    expect(result.ok ? "opened" : result.codeName).toBe("UNKNOWN_SERVICE_KEY")
  })

  it("the encoder refuses what the format refuses, and cuts long texts on character boundaries", async () => {
    await expect(draftWith({ sessionToken: new Uint8Array(0) }).then(encodeWebPlaintext)).rejects.toThrow(WebCaptureError)
    await expect(draftWith({ sessionToken: new Uint8Array(1025) }).then(encodeWebPlaintext)).rejects.toThrow(WebCaptureError)
    await expect(draftWith({ frames: [] }).then(encodeWebPlaintext)).rejects.toThrow(WebCaptureError)
    const keys = await freshKeys()
    const pem = await readFile(join(keys, keyFiles.servicePublic), "utf8")
    const label = "é".repeat(200) // 400 bytes of UTF-8, over the camera name's 128
    const opened = expectSuccess(
      await (await engineFor(keys)).open(await seal(encodeWebPlaintext(await draftWith({ camera: { name: label, width: 640, height: 480, fps: 30 } })), pem))
    )
    expect(opened.capture.camera).toMatchObject({ width: 640, height: 480 })
    expect((opened.capture.camera as { name?: string }).name).toBe("é".repeat(64))
  })
})
