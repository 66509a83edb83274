import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { fakeCryptlex } from "../license/FakeCryptlexServer.js"
import { alignClocks, KEY, PRODUCT } from "../license/harness.js"
import { getConfig, makeTempDir, postCapture, request, startServer } from "../support/TestServer.js"

/** The service configured with a license section pointing at the fake Cryptlex server. */
const licensedServer = (serverUrl: string, publicKeyPem: string) =>
  Effect.suspend(() => {
    const dir = makeTempDir()
    const publicKeyFile = path.join(dir, "product.pem")
    fs.writeFileSync(publicKeyFile, publicKeyPem)
    return startServer({
      dir,
      config: {
        license: {
          key: KEY,
          product_id: PRODUCT,
          public_key_file: publicKeyFile,
          host: serverUrl,
          license_dir: path.join(dir, "license"),
          request_timeout: 2
        }
      }
    })
  })

describe("license through the API", () => {
  it.scoped("a valid activation serves captures and /version says ok, never the key", () =>
    Effect.gen(function*() {
      const cryptlex = yield* fakeCryptlex({ key: KEY, productId: PRODUCT })
      yield* alignClocks(cryptlex)
      const { url } = yield* licensedServer(cryptlex.url, cryptlex.publicKeyPem)
      const answer = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(answer.status).toBe(200)
      const version = yield* request(`${url}/version`)
      expect(version.body.message).toMatch(/license: ok/)
      const config = yield* getConfig(url)
      expect(config.status).toBe(200)
      expect(JSON.stringify(config.body)).not.toContain(KEY)
      expect(JSON.stringify(version.body)).not.toContain(KEY)
    }))

  it.scoped("an unreachable license server: the service starts, captures get 503 NoneBecauseLicenseError", () =>
    Effect.gen(function*() {
      const cryptlex = yield* fakeCryptlex({ key: KEY, productId: PRODUCT })
      yield* alignClocks(cryptlex)
      cryptlex.answerAlways({ kind: "error", status: 503 })
      const { url } = yield* licensedServer(cryptlex.url, cryptlex.publicKeyPem)
      for (const endpoint of ["liveness/evaluate", "extract"]) {
        const answer = yield* postCapture(`${url}/${endpoint}`, encodeFakeCapture({ outcome: "Live" }))
        expect(answer).toMatchObject({ status: 503, body: { message: "NoneBecauseLicenseError" } })
      }
      const health = yield* request(`${url}/health`)
      expect(health.status).toBe(503)
      expect((yield* request(`${url}/version`)).body.message).toMatch(/not activated/)
    }))

  it.scoped("a revoked license is refused: 503 on captures", () =>
    Effect.gen(function*() {
      const cryptlex = yield* fakeCryptlex({ key: KEY, productId: PRODUCT, revoked: true })
      yield* alignClocks(cryptlex)
      const { url } = yield* licensedServer(cryptlex.url, cryptlex.publicKeyPem)
      const answer = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(answer).toMatchObject({ status: 503, body: { message: "NoneBecauseLicenseError" } })
    }))
})
