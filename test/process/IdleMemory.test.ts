/**
 * Memory of the service as `npm start` runs it (native engine, face workers), after a burst of
 * genuine captures: once it has been idle for ten seconds, the main thread and each face worker
 * have collected their V8 heaps and the C library has trimmed (IdleMemoryTrim.ts), so RSS comes
 * back near what it was before the burst instead of staying at the burst's size.
 */
import { describe, expect, it } from "@effect/vitest"
import * as path from "node:path"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../fixtures/face/faceFrames.js"
import { rssOf, startServiceProcess } from "../support/ServiceProcess.js"
import { makeTempDir } from "../support/TestServer.js"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number) => Math.round(bytes / 1048576)

describe("idle memory", () => {
  it("RSS comes back near its pre-burst level ten seconds after 100 captures at concurrency 4", async () => {
    const keysDir = path.join(makeTempDir(), "keys")
    const service = await startServiceProcess({ engine: "native", engine_pool_size: 2, keys_dir: keysDir })
    const pid = service.child.pid!
    try {
      const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
      const capture = await buildCapture({ keysDir, frames: [frame], burst: 3 })
      const evaluate = async () => {
        const form = new FormData()
        form.append("capture", new Blob([capture]), "capture.bin")
        const response = await fetch(`${service.origin}/api/v1/iad/liveness/evaluate`, { method: "POST", body: form })
        expect(response.status).toBe(200)
        await response.arrayBuffer()
      }
      // Models loaded and the code paths run once; then idle past the heap release.
      await evaluate()
      await sleep(11_500)
      const before = rssOf(pid)
      let peak = before
      let sent = 0
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (sent < 100) {
          sent++
          await evaluate()
          peak = Math.max(peak, rssOf(pid))
        }
      }))
      await sleep(11_500)
      const after = rssOf(pid)
      const summary = `RSS before ${mib(before)} MiB, burst peak ${mib(peak)} MiB, 11.5 s after ${mib(after)} MiB`
      // The burst really took memory (else the check below says nothing)...
      expect(peak - before, summary).toBeGreaterThan(40 * 1048576)
      // ...and most of it was given back (measured +26 MiB: code V8 compiled during the burst, grown
      // caches); with the C library's trim alone it stayed +60 MiB up.
      expect(after - before, summary).toBeLessThan(40 * 1048576)
    } finally {
      await service.stop()
    }
  }, 120_000)
})
