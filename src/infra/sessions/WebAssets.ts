/**
 * Files the service hands to browsers: the capture SDK bundle (built at install into
 * sdk/web/dist), the demo page's assets (sdk/web/demo), and the service's public key for the demo.
 * Read on each request (they are small): a bundle rebuilt while the service runs is served as is.
 */
import * as Effect from "effect/Effect"
import { createPublicKey } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { keyFiles } from "../../capture/KeysDir.js"
import { packageRoot } from "../PackageRoot.js"

export const SDK_BUNDLE_PATH = join(packageRoot, "sdk", "web", "dist", "iad-capture.js")
export const DEMO_DIR = join(packageRoot, "sdk", "web", "demo")

/** The file's bytes, or undefined when it cannot be read (the caller answers 503/404). */
export const readOptionalFile = (file: string): Effect.Effect<Uint8Array | undefined> =>
  Effect.promise(() => readFile(file).then((bytes): Uint8Array | undefined => bytes, () => undefined))

/**
 * The service's X25519 public key as PEM: `service.pub`, or derived from `service.key` when only
 * the private key is there. Undefined when neither reads (the fake engine has no keys).
 */
export const servicePublicKeyPem = (keysDir: string): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    const pub = await readFile(join(keysDir, keyFiles.servicePublic), "utf8").catch(() => undefined)
    if (pub !== undefined) return pub
    const key = await readFile(join(keysDir, keyFiles.servicePrivate)).catch(() => undefined)
    if (key === undefined) return undefined
    try {
      return createPublicKey(key).export({ format: "pem", type: "spki" }).toString()
    } catch {
      return undefined
    }
  })
