/**
 * The ONNX models built by `scripts/models/build.ts` compute what the original TF.js graphs
 * compute: same real inputs, outputs within float rounding.
 */
import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import ort from "onnxruntime-node"
import sharp from "sharp"
import { packageDir } from "../../scripts/models/packageDir.js"
import { frontalFace } from "../fixtures/face/faceFrames.js"
import { loadReferenceModel, runReference } from "./tfjsReference.js"

const photo = join(packageDir("@vladmandic/face-api"), "demo", `sample${frontalFace.sample}.jpg`)
const humanModel = (name: string) => join(packageDir("@vladmandic/human"), "models", `${name}.json`)

/** A square of the photo around the face (or around its left eye), as NHWC in [-1, 1] or [0, 1]. */
const input = async (size: number, region: { left: number; top: number; side: number }, signed: boolean) => {
  const raw = await sharp(photo)
    .extract({ left: region.left, top: region.top, width: region.side, height: region.side })
    .resize(size, size, { fit: "fill" })
    .removeAlpha()
    .raw()
    .toBuffer()
  const nhwc = Float32Array.from(raw, (v) => (signed ? v / 127.5 - 1 : v / 255))
  const nchw = new Float32Array(nhwc.length)
  for (let c = 0; c < 3; c++) for (let p = 0; p < size * size; p++) nchw[c * size * size + p] = nhwc[p * 3 + c]!
  return { nhwc, nchw }
}

const f = frontalFace
const around = (scale: number) => {
  const side = Math.round(Math.max(f.width, f.height) * scale)
  return { left: Math.round(f.x + f.width / 2 - side / 2), top: Math.round(f.y + f.height / 2 - side / 2), side }
}

const cases = [
  { name: "blazeface", size: 256, region: around(2), signed: true },
  { name: "facemesh", size: 192, region: around(1.5), signed: false },
  // The subject's right eye sits in the upper left quarter of the face box.
  { name: "iris", size: 64, region: { left: f.x + 40, top: f.y + 60, side: 80 }, signed: false }
] as const

describe("converted face models", () => {
  for (const c of cases) {
    it(`${c.name}.onnx matches the TF.js graph on a real photo`, async () => {
      const { nhwc, nchw } = await input(c.size, c.region, c.signed)
      const session = await ort.InferenceSession.create(join("models", `${c.name}.onnx`))
      const onnx = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", nchw, [1, 3, c.size, c.size]) })
      const reference = runReference(await loadReferenceModel(humanModel(c.name)), nhwc, c.size, session.outputNames.map((n) => `${n}:0`))
      session.outputNames.forEach((name, i) => {
        const got = onnx[name]!.data as Float32Array
        const want = reference[i]!
        expect(got.length).toBe(want.length)
        let worst = 0
        let largest = 0
        for (let k = 0; k < got.length; k++) {
          worst = Math.max(worst, Math.abs(got[k]! - want[k]!))
          largest = Math.max(largest, Math.abs(want[k]!))
        }
        // Outputs reach hundreds (pixel coordinates, logits): allow float32 reordering error only.
        expect(worst).toBeLessThan(1e-5 * Math.max(1, largest) + 1e-3)
        expect(largest).toBeGreaterThan(0)
      })
      await session.release()
    }, 60_000)
  }
})
