/**
 * Seed corpus for fuzz_capture and fuzz_jpeg: plaintexts of valid captures (and a few integrity
 * variants), signed with the fixed fuzzing keys of fuzz_capture.cc, and bare JPEGs of several
 * kinds. Usage: tsx make-seeds.ts OUT_DIR
 */
import { createPrivateKey } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import sharp from "sharp"
import { draftOf, encodePlaintext, type CaptureSignals } from "../../src/capture/index.js"

const seq = (from: number) => Buffer.from(Array.from({ length: 32 }, (_, i) => from + i))
// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const ed25519 = (seed: Buffer) =>
  createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" })

const keys = { sdkPrivate: ed25519(seq(33)), attestationPrivate: ed25519(seq(65)) }
const out = process.argv[2] ?? "seeds"
mkdirSync(out, { recursive: true })

const tiny = (shade: number) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: { r: shade, g: 90, b: 160 } } }).jpeg({ quality: 50 }).toBuffer()
const frames = [await tiny(10), await tiny(120), await tiny(240)]
const variants: Record<string, CaptureSignals> = {
  genuine: {},
  noAttestation: { attestation: "missing", motion: [], touches: [] },
  otherCapture: { attestation: "other-capture", environment: { emulator: true, virtualCamera: true } },
  untrustedSdk: { sdkSignature: "untrusted-key", motion: [[0, 0, 9.8, 0, 0, 0, 0]] },
  // Web captures: unsigned with a session token, and a signed capture carrying a token.
  webUnsigned: { sdk: { platform: "web" }, sessionToken: "5e55" + "ab".repeat(40), attestation: "missing", touches: [] },
  signedWithToken: { sessionToken: "01", attestation: "missing" }
}
for (const [name, signals] of Object.entries(variants)) {
  for (const count of [1, 3]) {
    const draft = draftOf({ frames: frames.slice(0, count), frameSize: { width: 8, height: 8 }, capturedAt: 1_700_000_000_000, signals })
    writeFileSync(join(out, `${name}-${count}`), encodePlaintext({ ...draft, motion: draft.motion.slice(0, 5) }, keys))
  }
}
// Bare JPEGs for the header parser: baseline, progressive, grayscale, 4:4:4.
const jpegs = {
  baseline: await sharp({ create: { width: 16, height: 8, channels: 3, background: "#3a6" } }).jpeg({ quality: 90 }).toBuffer(),
  progressive: await sharp({ create: { width: 8, height: 16, channels: 3, background: "#a36" } }).jpeg({ progressive: true }).toBuffer(),
  gray: await sharp({ create: { width: 8, height: 8, channels: 3, background: "#777" } }).greyscale().jpeg().toBuffer(),
  chroma444: await sharp({ create: { width: 8, height: 8, channels: 3, background: "#36a" } }).jpeg({ chromaSubsampling: "4:4:4" }).toBuffer(),
  // Textured, so the scaled decoder's seeds carry AC coefficients of every size.
  noise: await sharp({ create: { width: 40, height: 24, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } })
    .jpeg({ quality: 95 })
    .toBuffer()
}
for (const [name, bytes] of Object.entries(jpegs)) writeFileSync(join(out, `jpeg-${name}`), bytes)
// cjpeg's variants (restart markers, 4:2:2, 4:4:0, arithmetic) from the decoder's test fixtures.
const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures", "jpeg")
for (const name of readdirSync(fixtures).filter((f) => f.endsWith(".jpg"))) writeFileSync(join(out, `jpeg-${name}`), readFileSync(join(fixtures, name)))
console.log(`seeds written to ${out}`)
