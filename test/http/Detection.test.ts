/**
 * Every public reason, end to end: captures built by the reference SDK from real photos with the
 * recipes of the evaluation corpus (eval/Corpus.ts, one capture per variant), posted over HTTP to
 * the service running the native engine, its frame forensics and the face models.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { type EncoderKeys, loadEncoderKeys } from "../../src/capture/index.js"
import { FramePool, type Label, recipes, REVOKED_SDK_VERSIONS } from "../../eval/Corpus.js"
import { makeTempDir, postCapture, RunningServer, testServerLayer } from "../support/TestServer.js"

const dir = makeTempDir()
const keysDir = path.join(dir, "keys")

const server = testServerLayer({
  dir,
  config: { engine: "native", keys_dir: keysDir, engine_pool_size: 1, detection: { revoked_sdk_versions: REVOKED_SDK_VERSIONS } }
})

/** Two stills, two bursts each: enough variety for one capture per recipe. */
let pool: Promise<FramePool> | undefined
const framePool = () => Effect.promise(() => (pool ??= FramePool.make(2, 2)))
let keys: Promise<EncoderKeys> | undefined
const encoderKeys = () => Effect.promise(() => (keys ??= loadEncoderKeys(keysDir)))

/**
 * A still re-encoded with exposure drift sits near the temporal-noise thresholds: the evaluation
 * answers UntrustedContent for most and UntrustedContentLowConfidence for some (both reject).
 */
const straddling: ReadonlySet<string> = new Set(["still-reencoded"])

const expected = (label: Label, variant: string) =>
  label === "BonaFide"
    ? { diagnostic: "Live", reason: "None" }
    : straddling.has(variant)
    ? { diagnostic: "NoLive", reason: expect.stringMatching(/^UntrustedContent(LowConfidence)?$/) }
    : { diagnostic: "NoLive", reason: label }

layer(server, { timeout: 180_000 })("detection over HTTP", (it) => {
  describe("POST /liveness/evaluate answers each reason for the attack that shows it", () => {
    for (const recipe of recipes) {
      it.effect(`${recipe.label} <- ${recipe.variant}`, () =>
        Effect.gen(function*() {
          const { url } = yield* RunningServer
          const bytes = yield* Effect.promise(async () => recipe.make(await Effect.runPromise(framePool()), await Effect.runPromise(encoderKeys())))
          const answer = yield* postCapture(`${url}/liveness/evaluate`, bytes)
          expect(answer.status).toBe(200)
          expect(answer.body).toMatchObject(expected(recipe.label, recipe.variant))
          const probability = answer.body.probability as number
          if (recipe.label === "BonaFide") expect(probability).toBeGreaterThanOrEqual(0.5)
          else expect(probability).toBeLessThan(0.5)
        }), 60_000)
    }
  })
})
