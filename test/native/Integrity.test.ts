import { describe, expect, it } from "@effect/vitest"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { captureWith, engineFor, expectFailure, expectSuccess, freshKeys, jpeg } from "./helpers.js"

describe("native engine: integrity facts", () => {
  it("reports each kind of untrusted capture distinctly", async () => {
    const keys = await freshKeys()
    const engine = await engineFor(keys)
    const frame = [await jpeg(77)]
    const facts = async (signals: Parameters<typeof captureWith>[2]) =>
      expectSuccess(await engine.open(await captureWith(keys, frame, signals))).integrity

    expect(await facts({})).toMatchObject({ sdkSignature: "valid", attestation: "valid" })
    expect(await facts({ sdkSignature: "untrusted-key" })).toMatchObject({ sdkSignature: "unknown-key", attestation: "valid" })
    expect(await facts({ sdkSignature: "forged" })).toMatchObject({ sdkSignature: "invalid", attestation: "valid" })
    expect(await facts({ attestation: "other-capture" })).toMatchObject({ sdkSignature: "valid", attestation: "other-capture" })
    expect(await facts({ attestation: "other-device" })).toMatchObject({ attestation: "other-device" })
    expect(await facts({ attestation: "missing" })).toMatchObject({ attestation: "missing" })
    expect(await facts({ attestation: "forged" })).toMatchObject({ attestation: "invalid" })
    expect(await facts({ attestation: "untrusted-authority" })).toMatchObject({ attestation: "untrusted-authority" })
  })

  it("a capture made for another service key is undecryptable", async () => {
    const ours = await freshKeys()
    const theirs = await freshKeys()
    const capture = await captureWith(theirs, [await jpeg(1)])
    expect(expectFailure(await (await engineFor(ours)).open(capture))).toBe("UNKNOWN_SERVICE_KEY")
  })

  it("a capture signed by another SDK's release key reports unknown-key", async () => {
    const ours = await freshKeys()
    const theirs = await freshKeys()
    // Their SDK, encrypting to our service key.
    await writeFile(join(theirs, "service.pub"), await readFile(join(ours, "service.pub")))
    const opened = expectSuccess(await (await engineFor(ours)).open(await captureWith(theirs, [await jpeg(1)])))
    expect(opened.integrity.sdkSignature).toBe("unknown-key")
    expect(opened.integrity.attestation).toBe("untrusted-authority")
  })

  it("with two service keys loaded (rotation), captures for either key open", async () => {
    const current = await freshKeys()
    const next = await freshKeys()
    await writeFile(join(current, "service-next.key"), await readFile(join(next, "service.key")), { mode: 0o600 })
    await writeFile(join(next, "sdk.key"), await readFile(join(current, "sdk.key")))
    const engine = await engineFor(current)
    expectSuccess(await engine.open(await captureWith(current, [await jpeg(1)])))
    expect(expectSuccess(await engine.open(await captureWith(next, [await jpeg(2)]))).integrity.sdkSignature).toBe("valid")
  })
})
