/**
 * Web captures (docs/capture-format.md, "Web captures"): platform "web", a session token, and no
 * SDK signature. The real addon opens them; unsigned captures that are not web, or carry no token,
 * are refused; the token is length-checked; signed captures may carry a token too.
 */
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { execFile } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { CaptureDraftError, ContentTag, limits, PlaintextTag, WEB_PLATFORM } from "../../src/capture/index.js"
import { captureWith, engineFor, expectSuccess, freshKeys, jpeg } from "./helpers.js"

const refusal = async (keys: string, capture: Uint8Array) => {
  const result = await (await engineFor(keys)).open(capture)
  if (result.ok) throw new Error("expected a refusal")
  return { code: result.codeName, tag: result.tag }
}

const web = { sdk: { platform: WEB_PLATFORM } } as const

describe("native engine: web captures", () => {
  it("an unsigned web capture opens as unsigned-web and its session token round-trips", async () => {
    const keys = await freshKeys()
    const token = randomBytes(300).toString("hex")
    const opened = expectSuccess(await (await engineFor(keys)).open(await captureWith(keys, [await jpeg(10), await jpeg(20)], { ...web, sessionToken: token })))
    expect(opened.capture.sdk).toMatchObject({ platform: "web" })
    expect((opened.capture as { sessionToken?: string }).sessionToken).toBe(token)
    expect(opened.integrity).toEqual({ sdkSignature: "unsigned-web", sdkKeyId: "", attestation: "valid" })
  })

  it("a signed capture may carry a session token; captures without one have no sessionToken", async () => {
    const keys = await freshKeys()
    const engine = await engineFor(keys)
    const signed = expectSuccess(await engine.open(await captureWith(keys, [await jpeg(30)], { sessionToken: "ab", sdkSignature: "genuine" })))
    expect(signed.integrity.sdkSignature).toBe("valid")
    expect((signed.capture as { sessionToken?: string }).sessionToken).toBe("ab")
    const plain = expectSuccess(await engine.open(await captureWith(keys, [await jpeg(30)])))
    expect(plain.integrity.sdkSignature).toBe("valid")
    expect("sessionToken" in plain.capture).toBe(false)
  })

  it("leaving the signature out is refused unless the capture is web and carries a token", async () => {
    const keys = await freshKeys()
    const frame = await jpeg(40)
    const skip = { skipLimitChecks: true }
    const noToken = await captureWith(keys, [frame], { ...web, sdkSignature: "absent" }, (d) => d, skip)
    expect(await refusal(keys, noToken)).toEqual({ code: "MISSING_FIELD", tag: PlaintextTag.sdkSignature })
    const notWeb = await captureWith(keys, [frame], { sessionToken: "abcd", sdkSignature: "absent" }, (d) => d, skip)
    expect(await refusal(keys, notWeb)).toEqual({ code: "MISSING_FIELD", tag: PlaintextTag.sdkSignature })
    // The encoder refuses to build either of them in the first place.
    await expect(captureWith(keys, [frame], { ...web, sdkSignature: "absent" })).rejects.toThrow(CaptureDraftError)
    await expect(captureWith(keys, [frame], { sessionToken: "abcd", sdkSignature: "absent" })).rejects.toThrow(CaptureDraftError)
  })

  it("the session token is 1..1024 bytes", async () => {
    const keys = await freshKeys()
    const frame = await jpeg(50)
    const withToken = (bytes: Buffer) =>
      captureWith(keys, [frame], { ...web, sessionToken: "00" }, (d) => ({ ...d, sessionToken: bytes }), { skipLimitChecks: true })
    expect(await refusal(keys, await withToken(randomBytes(limits.maxSessionTokenBytes + 1)))).toEqual({
      code: "FIELD_SIZE",
      tag: ContentTag.sessionToken
    })
    expect(await refusal(keys, await withToken(Buffer.alloc(0)))).toEqual({ code: "FIELD_SIZE", tag: ContentTag.sessionToken })
    const longest = randomBytes(limits.maxSessionTokenBytes)
    const opened = expectSuccess(await (await engineFor(keys)).open(await withToken(longest)))
    expect((opened.capture as { sessionToken?: string }).sessionToken).toBe(longest.toString("hex"))
    await expect(
      captureWith(keys, [frame], web, (d) => ({ ...d, sessionToken: randomBytes(limits.maxSessionTokenBytes + 1) }))
    ).rejects.toThrow(CaptureDraftError)
  })

  it("the CLI builds a web capture: build --platform web --session-token HEX", async () => {
    const run = (args: Array<string>) => promisify(execFile)("node", ["bin/iad-capture.js", ...args], { cwd: process.cwd() })
    const dir = await mkdtemp(join(tmpdir(), "iad-cli-web-"))
    await run(["keygen", "--out", join(dir, "keys")])
    await writeFile(join(dir, "a.jpg"), await jpeg(60))
    const token = randomBytes(48).toString("hex")
    await run(["build", "--keys", join(dir, "keys"), "--image", join(dir, "a.jpg"), "--platform", "web",
      "--session-token", token.toUpperCase(), "--out", join(dir, "c.iad")])
    const { stdout } = await run(["inspect", "--keys", join(dir, "keys"), join(dir, "c.iad")])
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      sdk: { platform: "web" },
      sessionToken: token,
      integrity: { sdkSignature: "unsigned-web", sdkKeyId: "" }
    })
    await expect(run(["build", "--keys", join(dir, "keys"), "--image", join(dir, "a.jpg"), "--session-token", "xyz",
      "--out", join(dir, "d.iad")])).rejects.toMatchObject({ code: 2 })
  }, 60_000)
})
