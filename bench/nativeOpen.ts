/**
 * Throughput of the native engine's `open()` (decrypt, verify, parse; no pixel decoding) on a
 * 3-frame 1280x720 capture, one open in flight at a time, so that the figure is per core.
 * Run alone: `npx tsx bench/nativeOpen.ts`; `bench/run.ts` may import `benchNativeOpen`.
 */
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import sharp from "sharp"
import { buildCapture, generateKeys, loadEngineKeys } from "../src/capture/index.js"
import { loadNativeAddon } from "../src/infra/native/NativeAddon.js"

/** A photo-like frame: smooth structure plus fine grain, so JPEG sizes resemble camera frames. */
const photoLikeFrame = async (seed: number): Promise<Buffer> => {
  const small = Buffer.alloc(160 * 90 * 3)
  for (let i = 0; i < small.length; i++) small[i] = (Math.sin(i * 0.013 + seed) * 80 + 128 + Math.random() * 60) & 0xff
  const base = await sharp(small, { raw: { width: 160, height: 90, channels: 3 } }).resize(1280, 720).raw().toBuffer()
  for (let i = 0; i < base.length; i++) base[i] = Math.min(255, base[i]! + Math.floor(Math.random() * 12))
  return sharp(base, { raw: { width: 1280, height: 720, channels: 3 } }).jpeg({ quality: 90 }).toBuffer()
}

export interface NativeOpenBench {
  readonly captureBytes: number
  readonly opens: number
  readonly capturesPerSecond: number
  readonly cpuMillisPerOpen: number
  readonly capturesPerCpuSecond: number
}

export const benchNativeOpen = async (opens = 2000): Promise<NativeOpenBench> => {
  const keysDir = join(tmpdir(), `iad-bench-${process.pid}`)
  await generateKeys(keysDir, { overwrite: true })
  try {
    const frames = await Promise.all([1, 2, 3].map(photoLikeFrame))
    const capture = await buildCapture({ keysDir, frames })
    const engine = new (loadNativeAddon().Engine)(await loadEngineKeys(keysDir))
    for (let i = 0; i < 100; i++) await engine.open(capture) // warm-up
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    for (let i = 0; i < opens; i++) {
      const result = await engine.open(capture)
      if (!result.ok) throw new Error(`open failed: ${result.codeName}`)
    }
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMillis = (cpu.user + cpu.system) / 1000
    return {
      captureBytes: capture.length,
      opens,
      capturesPerSecond: opens / seconds,
      cpuMillisPerOpen: cpuMillis / opens,
      capturesPerCpuSecond: opens / (cpuMillis / 1000)
    }
  } finally {
    await rm(keysDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchNativeOpen(Number(process.argv[2] ?? 2000))
  console.log(
    `native open(): 3-frame 1280x720 capture of ${(r.captureBytes / 1024).toFixed(0)} KiB, ${r.opens} opens one at a time: ` +
      `${r.capturesPerSecond.toFixed(0)} captures/s wall, ${r.cpuMillisPerOpen.toFixed(3)} ms CPU per open ` +
      `(${r.capturesPerCpuSecond.toFixed(0)} captures per CPU-second)`
  )
}
