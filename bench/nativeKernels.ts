/**
 * CPU per capture of the addon's pixel kernels on a genuine 3-frame 1280x720 burst (the frames the
 * service bench sends): the three 1/4 decodes, the forensics statistics, the model-input warps
 * (detector 256x192, FaceMesh 192, one eye 64) and the scene work of the further frames (three
 * tables, two comparisons). The warps and the scene work ran in JavaScript before issue 14's third
 * round; those versions are kept as the tests' oracles (test/face/javascript*.ts) and measured here
 * too, taking turns with the addon's, so the ratio holds on a noisy machine.
 * Run alone: `npx tsx bench/nativeKernels.ts`; `bench/run.ts` imports `benchNativeKernels`.
 */
import { simulateBurst } from "../src/capture/index.js"
import { detectorInput } from "../src/infra/face/FaceDetection.js"
import { rotatedCrop, warpToTensor } from "../src/infra/face/ImageWarp.js"
import type { RgbImage } from "../src/infra/face/RgbImage.js"
import { compareScenes, sceneTable } from "../src/infra/face/SceneChange.js"
import { loadNativeAddon } from "../src/infra/native/NativeAddon.js"
import { javascriptCompareScenes, javascriptSceneTable } from "../test/face/javascriptScene.js"
import { javascriptWarp } from "../test/face/javascriptWarp.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../test/fixtures/face/faceFrames.js"
import { cpuMicrosPerCall } from "./CpuTime.js"
import { median } from "./service/Load.js"

export interface NativeKernelsBench {
  /** Microseconds of CPU (all threads) per capture, medians of the rounds. */
  readonly decodesUs: number
  readonly forensicsUs: number
  readonly warpsUs: number
  readonly warpsJavaScriptUs: number
  readonly sceneUs: number
  readonly sceneJavaScriptUs: number
}

export const benchNativeKernels = async (rounds = 25): Promise<NativeKernelsBench> => {
  const addon = loadNativeAddon()
  const jpegs = await simulateBurst([await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)], 3)
  const images: Array<RgbImage> = []
  for (const jpeg of jpegs) {
    const decoded = await addon.decodeJpegScaled(jpeg, 4)
    if (decoded.status !== "ok") throw new Error(`bench frame did not decode: ${decoded.status}`)
    images.push({ width: decoded.width, height: decoded.height, data: decoded.rgb, scale: 4, frameWidth: FRAME_WIDTH, frameHeight: FRAME_HEIGHT })
  }
  const [best, second, third] = images as [RgbImage, RgbImage, RgbImage]
  const targets = jpegs.map(() => new Uint8Array(best.data.length))
  const planes = images.map((img) => ({ data: img.data, width: img.width, height: img.height, channels: 3 as const }))
  const detector = detectorInput(best.width, best.height)
  const tensors = [new Float32Array(256 * 192 * 3), new Float32Array(192 * 192 * 3), new Float32Array(64 * 64 * 3)]
  const tables = images.map(() => new Float64Array((best.width + 1) * (best.height + 1)))
  const warps = (warp: typeof warpToTensor) => () => {
    warp(best, detector.t, detector.width, 2 / 255, -1, detector.height, tensors[0])
    warp(best, rotatedCrop(160, 90, 120, 0.1, 192), 192, 1 / 255, 0, 192, tensors[1])
    warp(best, rotatedCrop(140, 80, 20, 0.1, 64), 64, 1 / 255, 0, 64, tensors[2])
  }
  const scene = (table: typeof sceneTable, compare: typeof compareScenes) => () => {
    const reference = table(best, tables[0])
    compare(reference, table(second, tables[1]))
    compare(reference, table(third, tables[2]))
  }
  const kernels = {
    decodesUs: () => Promise.all(jpegs.map((jpeg, i) => addon.decodeJpegScaled(jpeg, 4, targets[i]))),
    forensicsUs: () => addon.forensics({ jpegs, planes, flatLimit: 20 }),
    warpsUs: warps(warpToTensor),
    warpsJavaScriptUs: warps(javascriptWarp),
    sceneUs: scene(sceneTable, compareScenes),
    sceneJavaScriptUs: scene(javascriptSceneTable, javascriptCompareScenes)
  }
  const samples = Object.fromEntries(Object.keys(kernels).map((name) => [name, [] as Array<number>]))
  // The first rounds warm up (JIT, caches) and are dropped; the kernels take turns in each round.
  for (let round = 0; round < rounds + 5; round++) {
    for (const [name, work] of Object.entries(kernels)) {
      const micros = await cpuMicrosPerCall(20, work)
      if (round >= 5) samples[name]!.push(micros)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Number(median(values).toFixed(0))])) as unknown as NativeKernelsBench
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchNativeKernels(), null, 2))
}
