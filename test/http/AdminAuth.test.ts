import { describe, expect, it } from "@effect/vitest"
import { HttpServerRequest } from "@effect/platform"
import { Option, Redacted } from "effect"
import { authorizeAdmin, isLoopback } from "../../src/http/AdminAuth.js"

const requestFrom = (remoteAddress: string | undefined, headers: Record<string, string> = {}) => {
  const request = HttpServerRequest.fromWeb(new Request("http://service/api/v1/iad/config", { method: "POST", headers }))
  return remoteAddress === undefined ? request : request.modify({ remoteAddress })
}

describe("who may POST /config", () => {
  it("without a token: loopback clients only", () => {
    expect(authorizeAdmin(requestFrom("127.0.0.1"), Option.none())._tag).toBe("Allowed")
    expect(authorizeAdmin(requestFrom("::1"), Option.none())._tag).toBe("Allowed")
    expect(authorizeAdmin(requestFrom("::ffff:127.0.0.1"), Option.none())._tag).toBe("Allowed")
    expect(authorizeAdmin(requestFrom("10.1.2.3"), Option.none())).toMatchObject({ _tag: "Denied", status: 403 })
    expect(authorizeAdmin(requestFrom("::ffff:192.168.0.2"), Option.none())).toMatchObject({ status: 403 })
    expect(authorizeAdmin(requestFrom(undefined), Option.none())).toMatchObject({ status: 403 })
  })
  it("with a token: the bearer token decides, whoever the client", () => {
    const token = Option.some(Redacted.make("tok"))
    expect(authorizeAdmin(requestFrom("10.1.2.3", { authorization: "Bearer tok" }), token)._tag).toBe("Allowed")
    expect(authorizeAdmin(requestFrom("127.0.0.1"), token)).toMatchObject({ status: 401 })
    expect(authorizeAdmin(requestFrom("127.0.0.1", { authorization: "Bearer tok2" }), token)).toMatchObject({ status: 403 })
    expect(authorizeAdmin(requestFrom("127.0.0.1", { authorization: "Basic dG9r" }), token)).toMatchObject({ status: 401 })
  })
  it("recognises loopback addresses only", () => {
    expect(isLoopback("127.255.0.1")).toBe(true)
    expect(isLoopback("128.0.0.1")).toBe(false)
    expect(isLoopback("127.0.0.1.evil")).toBe(false)
  })
})
