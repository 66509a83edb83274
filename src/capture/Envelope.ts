/**
 * The outer envelope of format v1: ephemeral X25519 agreement with the service key, HKDF-SHA256,
 * AES-256-GCM with the clear header as additional authenticated data.
 */
import { createCipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto"
import {
  ENVELOPE_VERSION,
  HEADER_BYTES,
  HKDF_INFO,
  MAGIC,
  NONCE_BYTES,
  SUITE_X25519_HKDF_SHA256_AES256GCM
} from "./CaptureFormat.js"
import { keyIdOf, rawKey } from "./KeysDir.js"

export const seal = (plaintext: Uint8Array, servicePublic: KeyObject): Buffer => {
  const ephemeral = generateKeyPairSync("x25519")
  const ephemeralRaw = rawKey(ephemeral.publicKey)
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: servicePublic })
  const salt = Buffer.concat([ephemeralRaw, rawKey(servicePublic)])
  const key = Buffer.from(hkdfSync("sha256", shared, salt, Buffer.from(HKDF_INFO, "ascii"), 32))
  const nonce = randomBytes(NONCE_BYTES)

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
