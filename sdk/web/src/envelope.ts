/**
 * The envelope of format v1 in the browser: ephemeral X25519 with the service key, HKDF-SHA256,
 * AES-256-GCM with the clear header as additional data. WebCrypto does all of it in current
 * browsers; where it lacks X25519 (older Safari and Firefox), `@noble/curves` agrees the key.
 * HKDF and AES-GCM are in every browser with WebCrypto, which getUserMedia needs anyway.
 */
import { x25519 } from "@noble/curves/ed25519.js"
import {
  ENVELOPE_VERSION,
  HEADER_BYTES,
  HKDF_INFO,
  KEY_ID_BYTES,
  MAGIC,
  NONCE_BYTES,
  SUITE_X25519_HKDF_SHA256_AES256GCM
} from "../../../src/capture/CaptureFormat.js"
import { type Bytes, concat } from "./tlv.js"

/** DER prefix of an X25519 SubjectPublicKeyInfo; the 32 raw key bytes follow. */
const SPKI_X25519_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]

const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))

/**
 * The service's raw X25519 public key from what an integrator has at hand: the `service.pub`
 * PEM file, base64 or hex of the raw 32 bytes or of the SPKI DER, or the bytes themselves.
 */
export const servicePublicKeyOf = (key: string | Uint8Array): Bytes => {
  let bytes: Uint8Array
  if (typeof key !== "string") bytes = key
  else {
    const trimmed = key.trim()
    if (/^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0) {
      bytes = Uint8Array.from(trimmed.match(/../g) ?? [], (h) => parseInt(h, 16))
    } else {
      bytes = fromBase64(trimmed.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""))
    }
  }
  if (bytes.length === 32) return new Uint8Array(bytes)
  if (bytes.length === 44 && SPKI_X25519_PREFIX.every((b, i) => bytes[i] === b)) return bytes.slice(12)
  throw new Error("servicePublicKey is not an X25519 public key (PEM, base64 or hex of 32 bytes)")
}

const subtle = (): typeof globalThis.crypto.subtle => {
  if (globalThis.crypto?.subtle === undefined) throw new Error("WebCrypto is unavailable (the page must be served over https)")
  return globalThis.crypto.subtle
}

export interface KeyAgreement {
  readonly ephemeralPublic: Bytes
  readonly shared: Bytes
}

export const agreeWithWebCrypto = async (servicePublic: Bytes): Promise<KeyAgreement> => {
  const pair = await subtle().generateKey({ name: "X25519" }, true, ["deriveBits"])
  if (!("privateKey" in pair)) throw new Error("X25519 generateKey gave no key pair")
  const peer = await subtle().importKey("raw", servicePublic, { name: "X25519" }, false, [])
  const shared = new Uint8Array(await subtle().deriveBits({ name: "X25519", public: peer }, pair.privateKey, 256))
  return { ephemeralPublic: new Uint8Array(await subtle().exportKey("raw", pair.publicKey)), shared }
}

export const agreeWithNoble = async (servicePublic: Bytes): Promise<KeyAgreement> => {
  const secret = x25519.utils.randomSecretKey()
  return {
    ephemeralPublic: new Uint8Array(x25519.getPublicKey(secret)),
    shared: new Uint8Array(x25519.getSharedSecret(secret, servicePublic))
  }
}

/** WebCrypto where the browser has X25519, the library elsewhere. */
const agree = (servicePublic: Bytes): Promise<KeyAgreement> =>
  agreeWithWebCrypto(servicePublic).catch(() => agreeWithNoble(servicePublic))

export const seal = async (
  plaintext: Bytes,
  servicePublicKey: string | Uint8Array,
  agreement: (servicePublic: Bytes) => Promise<KeyAgreement> = agree
): Promise<Bytes> => {
  const servicePublic = servicePublicKeyOf(servicePublicKey)
  const { ephemeralPublic, shared } = await agreement(servicePublic)
  if (shared.every((b) => b === 0)) throw new Error("the service public key is a low-order point")
  const hkdfKey = await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"])
  const aesKey = await subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: concat([ephemeralPublic, servicePublic]), info: new TextEncoder().encode(HKDF_INFO) },
    hkdfKey,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt"]
  )
  const keyId = new Uint8Array(await subtle().digest("SHA-256", servicePublic)).slice(0, KEY_ID_BYTES)
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES))
  const header = new Uint8Array(HEADER_BYTES)
  header.set(MAGIC, 0)
  header[4] = ENVELOPE_VERSION
  header[5] = SUITE_X25519_HKDF_SHA256_AES256GCM
  header.set(keyId, 6)
  header.set(ephemeralPublic, 6 + KEY_ID_BYTES)
  header.set(nonce, 6 + KEY_ID_BYTES + 32)
  new DataView(header.buffer).setUint32(HEADER_BYTES - 4, plaintext.length)
  // WebCrypto returns ciphertext || tag, exactly the envelope's layout after the header.
  const sealed = await subtle().encrypt({ name: "AES-GCM", iv: nonce, additionalData: header, tagLength: 128 }, aesKey, plaintext)
  return concat([header, new Uint8Array(sealed)])
}
