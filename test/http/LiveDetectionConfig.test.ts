/**
 * Detection settings are read on every capture: a change posted to `/config` applies to the next
 * request without a restart.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { buildCapture } from "../../src/capture/index.js"
import * as F from "../fixtures/face/faceFrames.js"
import { getConfig, makeTempDir, postCapture, postConfig, startServer } from "../support/TestServer.js"

/** The service with the native engine; the reference SDK builds captures with its keys. */
const nativeServer = Effect.suspend(() => {
  const dir = makeTempDir()
  const keysDir = path.join(dir, "keys")
  return Effect.map(
    startServer({ dir, config: { engine: "native", keys_dir: keysDir, engine_pool_size: 1 } }),
    (server) => ({ ...server, keysDir })
  )
})

describe("detection config over POST /config", () => {
  it.scoped("a virtual camera name added at run time rejects the next capture from that camera", () =>
    Effect.gen(function*() {
      const { url, keysDir } = yield* nativeServer
      const bytes = yield* Effect.promise(async () =>
        buildCapture({
          keysDir,
          frames: [await F.framedFace(F.frontalFace, 300, F.FRAME_WIDTH / 2, F.FRAME_HEIGHT / 2)],
          burst: 3,
          signals: { camera: { name: "Acme StreamCam 3000" } }
        })
      )
      const before = yield* postCapture(`${url}/liveness/evaluate`, bytes)
      expect(before.body).toMatchObject({ diagnostic: "Live", reason: "None" })

      const current = yield* getConfig(url)
      const names = (current.body.detection as { virtual_camera_names: Array<string> }).virtual_camera_names
      const update = yield* postConfig(url, { detection: { virtual_camera_names: [...names, "acme streamcam"] } })
      expect(update.status).toBe(200)
      expect(update.body.restartRequired).toEqual([])

      const after = yield* postCapture(`${url}/liveness/evaluate`, bytes)
      expect(after.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedContent" })
    }), 120_000)
})

describe("weak evidence and liveness_threshold", () => {
  it.scoped("a single still is NoLive at the default threshold; accepted by a lowered one, its face is still checked", () =>
    Effect.gen(function*() {
      const { url, keysDir } = yield* nativeServer
      // One frame: no temporal evidence, weak content evidence (probability 0.95 * 0.4 = 0.38).
      const single = (frame: () => Promise<Buffer>) =>
        Effect.promise(async () => buildCapture({ keysDir, frames: [await frame()] }))
      const group = yield* single(() => F.groupFrame(1))
      const frontal = yield* single(() => F.framedFace(F.frontalFace, 300, F.FRAME_WIDTH / 2, F.FRAME_HEIGHT / 2))

      const atDefault = yield* postCapture(`${url}/liveness/evaluate`, group)
      expect(atDefault.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedContentLowConfidence" })

      const lowered = yield* postConfig(url, { liveness_threshold: 0.3 })
      expect(lowered.status).toBe(200)
      const groupAccepted = yield* postCapture(`${url}/liveness/evaluate`, group)
      expect(groupAccepted).toMatchObject({ status: 400, body: { message: "NoneBecauseTooManyFaces" } })
      const frontalAccepted = yield* postCapture(`${url}/liveness/evaluate`, frontal)
      expect(frontalAccepted.body).toMatchObject({ diagnostic: "Live", reason: "None" })
      expect(frontalAccepted.body.probability as number).toBeCloseTo(0.38, 5)
    }), 120_000)
})
