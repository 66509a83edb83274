/**
 * The known-answer test vectors of docs/test-vectors: the reference encoder reproduces their bytes
 * under the fixed randomness, the documented intermediates decrypt them, and the C++ decoder reads
 * back exactly what expected.json documents.
 */
import { describe, expect, it } from "@effect/vitest"
import { createDecipheriv } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { encodeCapture, encodePlaintext, HEADER_BYTES, record, seal } from "../../src/capture/index.js"
import {
  draftOfVector,
  keysDir,
  randomnessOf,
  readVectorInput,
  type VectorName,
  vectorEncoderKeys,
  vectorNames,
  vectorsDir
} from "../../scripts/testVectors/vectorFiles.js"
import { engineFor, expectFailure, expectSuccess } from "../native/helpers.js"

interface Expected {
  readonly captureLength: number
  readonly envelope: {
    readonly serviceKeyId: string
    readonly ephemeralPublicKey: string
    readonly aesKey: string
    readonly nonce: string
    readonly header: string
  }
  readonly decoded: Record<string, unknown> & { readonly frames: ReadonlyArray<{ readonly offsetMs: number; readonly sha256: string }> }
}

const vectorFile = (name: VectorName, file: string) => Effect.promise(() => readFile(join(vectorsDir, name, file)))
const expectedOf = (name: VectorName) =>
  Effect.map(vectorFile(name, "expected.json"), (bytes) => JSON.parse(bytes.toString("utf8")) as Expected)
const load = (name: VectorName) =>
  Effect.promise(async () => {
    const input = await readVectorInput(name)
    return { input, draft: await draftOfVector(input), keys: await vectorEncoderKeys(), randomness: randomnessOf(input) }
  })
const sha256Hex = async (bytes: Uint8Array) => (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex")

describe("capture test vectors (docs/test-vectors)", () => {
  for (const name of vectorNames) {
    describe(name, () => {
      it.effect("the reference encoder reproduces capture.iad and plaintext.bin byte for byte", () =>
        Effect.gen(function*() {
          const { draft, keys, randomness } = yield* load(name)
          const expected = yield* vectorFile(name, "capture.iad")
          const capture = encodeCapture(draft, keys, { randomness })
          expect(capture.length).toBe((yield* expectedOf(name)).captureLength)
          expect(capture.toString("hex")).toBe(expected.toString("hex"))
          expect(encodePlaintext(draft, keys).equals(yield* vectorFile(name, "plaintext.bin"))).toBe(true)
        }))

      it.effect("the documented header and AES key open capture.iad into plaintext.bin", () =>
        Effect.gen(function*() {
          const { envelope } = yield* expectedOf(name)
          const capture = yield* vectorFile(name, "capture.iad")
          const header = capture.subarray(0, HEADER_BYTES)
          expect(header.toString("hex")).toBe(envelope.header)
          expect(header.subarray(0, 6).toString("hex")).toBe("494144430101") // IADC, version 1, suite 1
          expect(header.subarray(6, 14).toString("hex")).toBe(envelope.serviceKeyId)
          expect(header.subarray(14, 46).toString("hex")).toBe(envelope.ephemeralPublicKey)
          expect(header.subarray(46, 58).toString("hex")).toBe(envelope.nonce)
          const decipher = createDecipheriv("aes-256-gcm", Buffer.from(envelope.aesKey, "hex"), Buffer.from(envelope.nonce, "hex"))
          decipher.setAAD(header)
          decipher.setAuthTag(capture.subarray(capture.length - 16))
          const plaintext = Buffer.concat([decipher.update(capture.subarray(HEADER_BYTES, capture.length - 16)), decipher.final()])
          expect(header.readUInt32BE(58)).toBe(plaintext.length)
          expect(plaintext.equals(yield* vectorFile(name, "plaintext.bin"))).toBe(true)
        }))

      it.effect("the C++ decoder reads back the documented contents and integrity facts", () =>
        Effect.gen(function*() {
          const { decoded } = yield* expectedOf(name)
          const engine = yield* Effect.promise(() => engineFor(keysDir))
          const opened = expectSuccess(yield* Effect.promise(async () => engine.open(await readFile(join(vectorsDir, name, "capture.iad")))))
          const { activity, frames, ...rest } = opened.capture
          const frameDigests = yield* Effect.promise(() =>
            Promise.all(frames.map(async (f) => ({ offsetMs: f.offsetMs, bytes: f.jpeg.length, sha256: await sha256Hex(f.jpeg) })))
          )
          const { integrity: expectedIntegrity, ...expectedContents } = decoded
          expect({ ...rest, frames: frameDigests, activity: { motion: [...activity.motion], touches: [...activity.touches] } }).toEqual(
            expectedContents
          )
          expect(opened.integrity).toEqual(expectedIntegrity)
        }))

      it.effect("one flipped bit anywhere in the header is refused", () =>
        Effect.gen(function*() {
          const capture = Uint8Array.from(yield* vectorFile(name, "capture.iad"))
          const engine = yield* Effect.promise(() => engineFor(keysDir))
          const tampered = (at: number) => {
            const copy = Uint8Array.from(capture)
            copy[at] = copy[at]! ^ 0x01
            return copy
          }
          const codes = yield* Effect.promise(() => Promise.all([6, 20, 50, HEADER_BYTES + 3, capture.length - 1].map((at) => engine.open(tampered(at)))))
          expect(codes.map(expectFailure)).toEqual(["UNKNOWN_SERVICE_KEY", "DECRYPT_FAILED", "DECRYPT_FAILED", "DECRYPT_FAILED", "DECRYPT_FAILED"])
        }))
    })
  }

  it.effect("without injected randomness every capture gets a fresh ephemeral key and nonce", () =>
    Effect.gen(function*() {
      const { draft, keys } = yield* load("attested")
      const first = encodeCapture(draft, keys)
      const second = encodeCapture(draft, keys)
      expect(first.subarray(14, 46).equals(second.subarray(14, 46))).toBe(false)
      expect(first.subarray(46, 58).equals(second.subarray(46, 58))).toBe(false)
      const engine = yield* Effect.promise(() => engineFor(keysDir))
      const opened = yield* Effect.promise(() => Promise.all([engine.open(first), engine.open(second)]))
      const id = Buffer.from(draft.captureId).toString("hex")
      expect(opened.map((o) => expectSuccess(o).capture.captureId)).toEqual([id, id])
    }))

  it.effect("injected randomness of the wrong size is refused, not truncated or padded", () =>
    Effect.gen(function*() {
      const { draft, keys } = yield* load("attested")
      expect(() => encodeCapture(draft, keys, { randomness: { nonce: new Uint8Array(11) } })).toThrow(RangeError)
      expect(() => encodeCapture(draft, keys, { randomness: { nonce: new Uint8Array(16) } })).toThrow(RangeError)
      expect(() => encodeCapture(draft, keys, { randomness: { ephemeralPrivateKey: new Uint8Array(31) } })).toThrow(RangeError)
    }))

  it.effect("the plaintext holds exactly its two records: an extension record beside them is refused (capture-format.md)", () =>
    Effect.gen(function*() {
      const { draft, keys } = yield* load("attested")
      const plaintext = encodePlaintext(draft, keys)
      const engine = yield* Effect.promise(() => engineFor(keysDir))
      const opened = yield* Effect.promise(() =>
        Promise.all([
          engine.open(seal(plaintext, keys.servicePublic)),
          engine.open(seal(Buffer.concat([plaintext, record(0x8001, Buffer.from("extension"))]), keys.servicePublic))
        ])
      )
      expect(expectSuccess(opened[0]!).integrity.sdkSignature).toBe("valid")
      expect(opened[1]).toMatchObject({ ok: false, codeName: "UNKNOWN_FIELD", tag: 0x8001 })
    }))
})
