/**
 * The keys directory shared by the service (`keys_dir`) and the reference SDK (`iad-capture`).
 *
 * Layout (PEM: PKCS#8 private keys, SPKI public keys; private keys mode 0600):
 * - `service.key` / `service.pub`: X25519, captures are encrypted to it. Every `service*.key` is
 *   loaded, so operators rotate by adding `service-2025.key` before retiring the old one.
 * - `sdk.key` / `sdk.pub`: Ed25519 release key of the SDK. The engine trusts every `sdk*.pub`.
 * - `attestation.key` / `attestation.pub`: Ed25519 attestation authority; trusts every `attestation*.pub`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto"
import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { KEY_ID_BYTES } from "./CaptureFormat.js"

export const keyFiles = {
  servicePrivate: "service.key",
  servicePublic: "service.pub",
  sdkPrivate: "sdk.key",
  sdkPublic: "sdk.pub",
  attestationPrivate: "attestation.key",
  attestationPublic: "attestation.pub"
} as const

export class KeysDirError extends Error {
  override readonly name = "KeysDirError"
}

/** Raw 32-byte key material of an X25519 or Ed25519 key (the JWK `d` or `x`). */
export const rawKey = (key: KeyObject): Buffer => {
  const jwk = key.export({ format: "jwk" })
  const value = key.type === "private" ? jwk.d : jwk.x
  if (value === undefined) throw new KeysDirError(`not an OKP key: ${key.asymmetricKeyType ?? "unknown"}`)
  return Buffer.from(value, "base64url")
}

/**
 * First 8 bytes of SHA-256 over the raw public key: how captures name the key they use. Accepts a
 * private key too, and always hashes its public half.
 */
export const keyIdOf = (key: KeyObject): Buffer => {
  const publicKey = key.type === "private" ? createPublicKey(key) : key
  return createHash("sha256").update(rawKey(publicKey)).digest().subarray(0, KEY_ID_BYTES)
}

const pemPrivate = (key: KeyObject) => key.export({ format: "pem", type: "pkcs8" }).toString()
const pemPublic = (key: KeyObject) => key.export({ format: "pem", type: "spki" }).toString()

const exists = (path: string) => stat(path).then(() => true, () => false)

/**
 * Writes a fresh set of keys into `dir` (created 0700 if missing). Refuses to overwrite an
 * existing key unless `overwrite`: losing a service key makes every capture made for it unreadable.
 */
export const generateKeys = async (dir: string, options: { readonly overwrite?: boolean } = {}): Promise<void> => {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  if (options.overwrite !== true) {
    for (const file of Object.values(keyFiles)) {
      if (await exists(join(dir, file))) throw new KeysDirError(`${join(dir, file)} already exists`)
    }
  }
  const service = generateKeyPairSync("x25519")
  const sdk = generateKeyPairSync("ed25519")
  const attestation = generateKeyPairSync("ed25519")
  const writePrivate = async (file: string, key: KeyObject) => {
    const path = join(dir, file)
    await writeFile(path, pemPrivate(key), { mode: 0o600 })
    await chmod(path, 0o600) // writeFile's mode does not apply to a file that already existed
  }
  const writePublic = (file: string, key: KeyObject) => writeFile(join(dir, file), pemPublic(key), { mode: 0o644 })
  await writePrivate(keyFiles.servicePrivate, service.privateKey)
  await writePublic(keyFiles.servicePublic, service.publicKey)
  await writePrivate(keyFiles.sdkPrivate, sdk.privateKey)
  await writePublic(keyFiles.sdkPublic, sdk.publicKey)
  await writePrivate(keyFiles.attestationPrivate, attestation.privateKey)
  await writePublic(keyFiles.attestationPublic, attestation.publicKey)
}

const readKey = async (dir: string, file: string, kind: "private" | "public", type: "x25519" | "ed25519") => {
  const path = join(dir, file)
  const pem = await readFile(path).catch((cause: NodeJS.ErrnoException) => {
    throw new KeysDirError(`cannot read ${path}: ${cause.code ?? "error"}`)
  })
  let key: KeyObject
  try {
    key = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem)
  } catch {
    // The parser's message may quote the file; say only which file failed.
    throw new KeysDirError(`${path} is not a PEM ${kind} key`)
  }
  if (key.asymmetricKeyType !== type) throw new KeysDirError(`${path} holds a ${key.asymmetricKeyType ?? "?"} key, expected ${type}`)
  return key
}

/** What the reference SDK needs to build captures for a service. */
export interface EncoderKeys {
  readonly servicePublic: KeyObject
  readonly sdkPrivate: KeyObject
  readonly attestationPrivate: KeyObject
}

export const loadEncoderKeys = async (dir: string): Promise<EncoderKeys> => ({
  servicePublic: await readKey(dir, keyFiles.servicePublic, "public", "x25519"),
  sdkPrivate: await readKey(dir, keyFiles.sdkPrivate, "private", "ed25519"),
  attestationPrivate: await readKey(dir, keyFiles.attestationPrivate, "private", "ed25519")
})

/** Raw key material the native engine loads (it never sees files). */
export interface EngineKeys {
  readonly service: ReadonlyArray<Uint8Array>
  readonly sdk: ReadonlyArray<Uint8Array>
  readonly attestation: ReadonlyArray<Uint8Array>
  /** File names loaded, for logs (never their contents). */
  readonly files: ReadonlyArray<string>
}

export const loadEngineKeys = async (dir: string): Promise<EngineKeys> => {
  const names = (await readdir(dir)).sort()
  const pick = (prefix: string, suffix: string) => names.filter((n) => n.startsWith(prefix) && n.endsWith(suffix))
  const serviceFiles = pick("service", ".key")
  const sdkFiles = pick("sdk", ".pub")
  const attestationFiles = pick("attestation", ".pub")
  const load = (files: ReadonlyArray<string>, kind: "private" | "public", type: "x25519" | "ed25519") =>
    Promise.all(files.map(async (file) => rawKey(await readKey(dir, file, kind, type))))
  return {
    service: await load(serviceFiles, "private", "x25519"),
    sdk: await load(sdkFiles, "public", "ed25519"),
    attestation: await load(attestationFiles, "public", "ed25519"),
    files: [...serviceFiles, ...sdkFiles, ...attestationFiles]
  }
}

/** True when `dir` holds at least one service private key. */
export const hasServiceKey = async (dir: string): Promise<boolean> => {
  const names = await readdir(dir).catch(() => [] as Array<string>)
  return names.some((n) => n.startsWith("service") && n.endsWith(".key"))
}
