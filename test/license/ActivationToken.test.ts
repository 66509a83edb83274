import { generateKeyPairSync, sign } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseActivationToken, parseProductPublicKey } from "../../src/infra/license/ActivationToken.js"

const product = generateKeyPairSync("rsa", { modulusLength: 2048 })
const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
const claims = { aid: "a", pid: "P", key: "K", fp: "F", iat: 1, eat: 0 }
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const token = (header: unknown, payload: unknown, key = product.privateKey) => {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`
}
const reason = (raw: string) => Either.match(parseActivationToken(raw, product.publicKey), { onLeft: (why) => why, onRight: () => "accepted" })

describe("activation token (RS256 JWT)", () => {
  it("accepts a token signed by the product key and decodes its claims with defaults", () => {
    const parsed = Either.getOrThrow(parseActivationToken(token({ alg: "RS256" }, claims), product.publicKey))
    expect(parsed.claims).toEqual({ ...claims, leat: 0, ssgpeat: 0, ssi: 0, aco: 0, suspended: false })
  })

  it("rejects a token signed by another key", () => {
    expect(reason(token({ alg: "RS256" }, claims, other.privateKey))).toBe("the activation token signature does not match the product public key")
  })

  it("rejects other algorithms, tampered payloads and garbage", () => {
    expect(reason(`${b64({ alg: "none" })}.${b64(claims)}.`)).toBe("the activation token is not signed with RS256")
    expect(reason(token({ alg: "HS256" }, claims))).toBe("the activation token is not signed with RS256")
    const [h, , s] = token({ alg: "RS256" }, claims).split(".")
    expect(reason(`${h}.${b64({ ...claims, eat: 9 })}.${s}`)).toBe("the activation token signature does not match the product public key")
    expect(reason("not a jwt")).toBe("the activation token is not a compact JWT")
    expect(reason(token({ alg: "RS256" }, { aid: "a" }))).toBe("the activation token claims are malformed")
  })

  it("product key: RSA PEM of at least 2048 bits", () => {
    const pem = (key: typeof product.publicKey) => key.export({ type: "spki", format: "pem" }).toString()
    expect(Either.isRight(parseProductPublicKey(pem(product.publicKey)))).toBe(true)
    expect(parseProductPublicKey("garbage")).toEqual(Either.left("it is not a PEM public key"))
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 })
    expect(parseProductPublicKey(pem(small.publicKey))).toEqual(Either.left("the RSA key has 1024 bits, at least 2048 are needed"))
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
    expect(parseProductPublicKey(pem(ec.publicKey))).toEqual(Either.left("it is not an RSA public key"))
  })
})
