/**
 * The outer envelope of format v1: ephemeral X25519 agreement with the service key, HKDF-SHA256,
 * AES-256-GCM with the clear header as additional authenticated data.
 */
import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject
} from "node:crypto"
import {
  ENVELOPE_VERSION,
  HEADER_BYTES,
  HKDF_INFO,
  MAGIC,
  NONCE_BYTES,
  SUITE_X25519_HKDF_SHA256_AES256GCM
} from "./CaptureFormat.js"
import { keyIdOf, rawKey } from "./KeysDir.js"

/**
 * The envelope's randomness, injectable so that known-answer test vectors (docs/test-vectors) can
 * be reproduced byte for byte. Left out, each is fresh and random, as it must be in the field.
 */
export interface SealRandomness {
  /** Raw 32-byte X25519 private key of the ephemeral pair. */
  readonly ephemeralPrivateKey?: Uint8Array
  /** The 12-byte AES-GCM nonce. */
  readonly nonce?: Uint8Array
}

/** PKCS#8 DER prefix of a raw X25519 private key (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex")

const ephemeralPair = (fixed: Uint8Array | undefined): { privateKey: KeyObject; publicKey: KeyObject } => {
  if (fixed === undefined) return generateKeyPairSync("x25519")
  if (fixed.length !== 32) throw new RangeError(`an X25519 private key is 32 bytes, got ${fixed.length}`)
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, fixed]), format: "der", type: "pkcs8" })
  return { privateKey, publicKey: createPublicKey(privateKey) }
}

export const seal = (plaintext: Uint8Array, servicePublic: KeyObject, randomness: SealRandomness = {}): Buffer => {
  const ephemeral = ephemeralPair(randomness.ephemeralPrivateKey)
  const ephemeralRaw = rawKey(ephemeral.publicKey)
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: servicePublic })
  const salt = Buffer.concat([ephemeralRaw, rawKey(servicePublic)])
  const key = Buffer.from(hkdfSync("sha256", shared, salt, Buffer.from(HKDF_INFO, "ascii"), 32))
  const nonce = randomness.nonce === undefined ? randomBytes(NONCE_BYTES) : Buffer.from(randomness.nonce)
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`the nonce is ${NONCE_BYTES} bytes, got ${nonce.length}`)

  const header = Buffer.alloc(HEADER_BYTES)
  header.set(MAGIC, 0)
  let at = MAGIC.length
  at = header.writeUInt8(ENVELOPE_VERSION, at)
  at = header.writeUInt8(SUITE_X25519_HKDF_SHA256_AES256GCM, at)
  at += keyIdOf(servicePublic).copy(header, at)
  at += ephemeralRaw.copy(header, at)
  at += nonce.copy(header, at)
  header.writeUInt32BE(plaintext.length, at)

  const cipher = createCipheriv("aes-256-gcm", key, nonce)
  cipher.setAAD(header)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([header, ciphertext, cipher.getAuthTag()])
}
