/**
 * Parses a Cryptlex activation token: a compact JWT whose signature is RS256 by the product key.
 * Hand-written with node:crypto rather than `jose`: one algorithm, one key, no JWKS, no
 * registered-claim rules (Cryptlex's own `eat`/`iat` rules apply, in LicenseValidation.ts), so a
 * dependency would add surface without removing code. The algorithm is pinned: a token whose
 * header names anything but RS256 is rejected before verification.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ActivationClaims } from "../../domain/LicenseToken.js"

export interface ActivationToken {
  /** The compact JWT as the server sent it (cached verbatim). */
  readonly raw: string
  readonly claims: ActivationClaims
}

const Header = Schema.parseJson(Schema.Struct({ alg: Schema.Literal("RS256") }))
const Payload = Schema.parseJson(ActivationClaims)
const decodeHeader = Schema.decodeUnknownEither(Header)
const decodePayload = Schema.decodeUnknownEither(Payload)

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Loads the product key; Cryptlex product keys are 2048-bit RSA, anything weaker is refused. */
export const parseProductPublicKey = (pem: string): Either.Either<KeyObject, string> => {
  try {
    const key = createPublicKey(pem)
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    if (key.asymmetricKeyType !== "rsa") return Either.left("it is not an RSA public key")
    if (bits < 2048) return Either.left(`the RSA key has ${bits} bits, at least 2048 are needed`)
    return Either.right(key)
  } catch {
    return Either.left("it is not a PEM public key")
  }
}

/** Verifies signature and claim shapes; the reason on failure is safe to log (no token text). */
export const parseActivationToken = (raw: string, productKey: KeyObject): Either.Either<ActivationToken, string> => {
  const parts = raw.trim().split(".")
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    return Either.left("the activation token is not a compact JWT")
  }
  const [header, payload, signature] = parts as [string, string, string]
  const text = (part: string) => Buffer.from(part, "base64url").toString("utf8")
  if (Either.isLeft(decodeHeader(text(header)))) return Either.left("the activation token is not signed with RS256")
  const signed = verify("sha256", Buffer.from(`${header}.${payload}`), productKey, Buffer.from(signature, "base64url"))
  if (!signed) return Either.left("the activation token signature does not match the product public key")
  return Either.mapBoth(decodePayload(text(payload)), {
    onLeft: () => "the activation token claims are malformed",
    onRight: (claims) => ({ raw: raw.trim(), claims })
  })
}
