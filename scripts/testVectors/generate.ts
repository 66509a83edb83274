/**
 * Writes docs/test-vectors once: fixed keys (derived from labels, so anyone can re-derive them),
 * small JPEG frames, each vector's input, the expected capture bytes, the plaintext inside, the
 * intermediate values of the envelope and what a decoder must read back.
 *
 *   npx tsx scripts/testVectors/generate.ts
 *
 * Existing frames and keys are kept: the vectors must not change when sharp does. The capture
 * bytes are re-encoded from them; test/capture/TestVectors.test.ts checks that the committed
 * bytes are what the encoder produces.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from "node:crypto"
import { mkdir, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import sharp from "sharp"
import { encodeCapture, encodePlaintext, environmentSignals, HEADER_BYTES, HKDF_INFO, keyIdOf, rawKey } from "../../src/capture/index.js"
import { draftOfVector, keysDir, randomnessOf, readVectorInput, type VectorInput, vectorEncoderKeys, vectorNames, vectorsDir } from "./vectorFiles.js"

const exists = (path: string) => stat(path).then(() => true, () => false)
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest()
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

/** RFC 8410 PKCS#8 prefixes of a raw 32-byte private key. */
const pkcs8Prefix = { x25519: "302e020100300506032b656e04220420", ed25519: "302e020100300506032b657004220420" } as const

const keyFromLabel = (type: "x25519" | "ed25519", label: string): KeyObject =>
  createPrivateKey({ key: Buffer.concat([Buffer.from(pkcs8Prefix[type], "hex"), sha256(Buffer.from(label))]), format: "der", type: "pkcs8" })

const keyLabels = {
  service: ["x25519", "iad test vectors: service X25519 key"],
  sdk: ["ed25519", "iad test vectors: SDK Ed25519 key"],
  attestation: ["ed25519", "iad test vectors: attestation authority Ed25519 key"]
} as const

const writeKeys = async () => {
  await mkdir(keysDir, { recursive: true })
  const summary: Record<string, unknown> = {}
  for (const [name, [type, label]] of Object.entries(keyLabels)) {
    const privateKey = keyFromLabel(type, label)
    const publicKey = createPublicKey(privateKey)
    if (!(await exists(join(keysDir, `${name}.key`)))) {
      await writeFile(join(keysDir, `${name}.key`), privateKey.export({ format: "pem", type: "pkcs8" }))
      await writeFile(join(keysDir, `${name}.pub`), publicKey.export({ format: "pem", type: "spki" }))
    }
    summary[name] = {
      type,
      privateKeyDerivation: `SHA-256("${label}")`,
      privateKey: hex(rawKey(privateKey)),
      publicKey: hex(rawKey(publicKey)),
      keyId: hex(keyIdOf(publicKey))
    }
  }
  await writeFile(join(keysDir, "keys.json"), JSON.stringify(summary, null, 2) + "\n")
}

const frameColours = [
  { r: 200, g: 120, b: 60 },
  { r: 40, g: 90, b: 210 }
]

const writeFrames = async () => {
  await mkdir(join(vectorsDir, "inputs"), { recursive: true })
  for (const [i, background] of frameColours.entries()) {
    const file = join(vectorsDir, "inputs", `frame-${i}.jpg`)
    if (await exists(file)) continue
    await writeFile(file, await sharp({ create: { width: 32, height: 24, channels: 3, background } }).jpeg({ quality: 80 }).toBuffer())
  }
}

const inputs: Record<(typeof vectorNames)[number], VectorInput> = {
  attested: {
    description: "Two frames, a genuine attestation, motion and one touch; every environment flag false.",
    captureId: "000102030405060708090a0b0c0d0e0f",
    createdAt: 1_750_000_000_000,
    sdk: { name: "iad-capture-reference", version: "1.0.0", platform: "reference" },
    camera: { name: "front camera", width: 32, height: 24, fps: 30 },
    frames: [
      { file: "inputs/frame-0.jpg", offsetMs: 0 },
      { file: "inputs/frame-1.jpg", offsetMs: 33 }
    ],
    bestFrame: 1,
    faceScore: 0.97,
    environment: Object.fromEntries(environmentSignals.map((name) => [name, false])) as VectorInput["environment"],
    device: { id: "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf", manufacturer: "Reference", model: "iad-capture", os: "reference", osVersion: "1" },
    attestation: "genuine",
    motion: [
      [0, 0.04, 9.81, 0.05, 0.01, 0.012, -0.004],
      [10, -0.02, 9.79, 0.03, -0.008, 0.011, 0.002],
      [20, 0.01, 9.83, -0.01, 0.002, -0.006, 0]
    ],
    touches: [[80, 0.5, 0.85, 0.5]],
    randomness: {
      ephemeralPrivateKey: hex(sha256(Buffer.from("iad test vectors: attested ephemeral key"))),
      nonce: "a0a1a2a3a4a5a6a7a8a9aaab"
    }
  },
  unattested: {
    description: "One frame, no attestation, the emulator and virtual-camera flags set, UTF-8 beyond ASCII, no motion and no touches.",
    captureId: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff101112131415161718191a1b1c1d1e1f",
    createdAt: 1_767_225_600_123,
    sdk: { name: "sdk-\u00e9t\u00e9", version: "2.1.0-\u03b2", platform: "android" },
    camera: { name: "", width: 32, height: 24, fps: 29.97 },
    frames: [{ file: "inputs/frame-0.jpg", offsetMs: 120 }],
    bestFrame: 0,
    faceScore: 0.5,
    environment: {
      ...(Object.fromEntries(environmentSignals.map((name) => [name, false])) as VectorInput["environment"]),
      emulator: true,
      virtualCamera: true
    },
    device: { id: "42", manufacturer: "", model: "\u7d2b\u7684 Pixel", os: "Android", osVersion: "15" },
    attestation: "missing",
    motion: [],
    touches: [],
    randomness: {
      ephemeralPrivateKey: hex(sha256(Buffer.from("iad test vectors: unattested ephemeral key"))),
      nonce: "000000000000000000000001"
    }
  }
}

/** What any decoder must read back from the vector (derived from the input, not from a decoder). */
const decodedOf = (input: VectorInput, frames: ReadonlyArray<Uint8Array>, sdkKeyId: string, authorityKeyId: string) => ({
  formatVersion: 1,
  captureId: input.captureId,
  createdAt: input.createdAt,
  sdk: input.sdk,
  camera: { ...input.camera, fps: Math.round(input.camera.fps * 1000) / 1000 },
  frames: frames.map((jpeg, i) => ({ offsetMs: input.frames[i]!.offsetMs, bytes: jpeg.length, sha256: hex(sha256(jpeg)) })),
  bestFrame: input.bestFrame,
  faceScore: Math.round(input.faceScore * 10000) / 10000,
  environment: input.environment,
  device: input.device,
  ...(input.attestation === "missing"
    ? {}
    : { attestation: { captureId: input.captureId, deviceId: input.device.id, issuedAt: input.createdAt, authorityKeyId } }),
  // As float32 on the wire, widened back to double.
  activity: { motion: input.motion.flat().map(Math.fround), touches: input.touches.flat().map(Math.fround) },
  integrity: { sdkSignature: "valid", sdkKeyId, attestation: input.attestation === "missing" ? "missing" : "valid" }
})

const writeVector = async (name: (typeof vectorNames)[number]) => {
  const dir = join(vectorsDir, name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, "input.json"), JSON.stringify(inputs[name], null, 2) + "\n")
  const input = await readVectorInput(name)
  const keys = await vectorEncoderKeys()
  const draft = await draftOfVector(input)
  const randomness = randomnessOf(input)
  const capture = encodeCapture(draft, keys, { randomness })
  const plaintext = encodePlaintext(draft, keys)

  // The envelope's intermediate values, for implementers to compare step by step.
  const ephemeralPrivate = createPrivateKey({
    key: Buffer.concat([Buffer.from(pkcs8Prefix.x25519, "hex"), randomness.ephemeralPrivateKey!]),
    format: "der",
    type: "pkcs8"
  })
  const ephemeralPublic = rawKey(createPublicKey(ephemeralPrivate))
  const shared = diffieHellman({ privateKey: ephemeralPrivate, publicKey: keys.servicePublic })
  const salt = Buffer.concat([ephemeralPublic, rawKey(keys.servicePublic)])
  const aesKey = Buffer.from(hkdfSync("sha256", shared, salt, Buffer.from(HKDF_INFO, "ascii"), 32))
  const contentLength = plaintext.readUInt32BE(2)
  const content = plaintext.subarray(6, 6 + contentLength)
  const signatureRecord = plaintext.subarray(6 + contentLength + 6)
  const authorityKeyId = hex(keyIdOf(keys.attestationPrivate))
  const expected = {
    captureLength: capture.length,
    captureSha256: hex(sha256(capture)),
    envelope: {
      serviceKeyId: hex(keyIdOf(keys.servicePublic)),
      ephemeralPublicKey: hex(ephemeralPublic),
      sharedSecret: hex(shared),
      hkdfSalt: hex(salt),
      hkdfInfo: HKDF_INFO,
      aesKey: hex(aesKey),
      nonce: input.randomness.nonce,
      header: hex(capture.subarray(0, HEADER_BYTES)),
      gcmTag: hex(capture.subarray(capture.length - 16))
    },
    plaintext: {
      length: plaintext.length,
      sha256: hex(sha256(plaintext)),
      contentLength,
      contentSha256: hex(sha256(content)),
      sdkKeyId: hex(signatureRecord.subarray(0, 8)),
      sdkSignature: hex(signatureRecord.subarray(8))
    },
    decoded: decodedOf(input, draft.frames.map((f) => f.jpeg), hex(keyIdOf(keys.sdkPrivate)), authorityKeyId)
  }
  await writeFile(join(dir, "capture.iad"), capture)
  await writeFile(join(dir, "plaintext.bin"), plaintext)
  await writeFile(join(dir, "expected.json"), JSON.stringify(expected, null, 2) + "\n")
  console.log(`${name}: ${capture.length} bytes, sha256 ${expected.captureSha256}`)
}

await writeKeys()
await writeFrames()
for (const name of vectorNames) await writeVector(name)
