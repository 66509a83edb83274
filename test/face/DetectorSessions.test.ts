/**
 * BlazeFace's sessions made for one input size (DetectorSessions.ts): the 16:9 sizes get their own,
 * which answer bit for bit as the any-size session does; every other size takes the any-size one;
 * a model whose input is not an image cannot be fixed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import onnxProto from "onnx-proto"
import ort from "onnxruntime-node"
import * as path from "node:path"
import { detectorSessionFor, FIXED_DETECTOR_SIZES } from "../../src/infra/face/DetectorSessions.js"
import { loadFaceModels } from "../../src/infra/face/FaceModels.js"
import { withFixedInputSize } from "../../src/infra/face/FixedInputSize.js"

const builtModels = path.join(process.cwd(), "models")

/** A deterministic detector input in [-1, 1). */
const input = (width: number, height: number) => {
  let state = 7
  const data = Float32Array.from({ length: 3 * width * height }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state / 2147483648) * 2 - 1
  })
  return new ort.Tensor("float32", data, [1, 3, height, width])
}

const outputsOf = async (session: ort.InferenceSession, tensor: ort.Tensor) => {
  const out = await session.run({ [session.inputNames[0]!]: tensor })
  return session.outputNames.map((name) => Array.from(out[name]!.data as Float32Array))
}

describe("detector sessions by input size", () => {
  it.scoped("the 16:9 sizes have their own session, with the any-size session's outputs bit for bit", () =>
    Effect.gen(function* () {
      const { detector } = yield* loadFaceModels(builtModels)
      expect([...detector.bySize.keys()].sort()).toEqual(["192x256", "256x192"])
      for (const { width, height } of FIXED_DETECTOR_SIZES) {
        const sized = detectorSessionFor(detector, width, height)
        expect(sized).not.toBe(detector.anySize)
        expect(sized.inputMetadata[0]).toMatchObject({ shape: [1, 3, height, width] })
        const tensor = input(width, height)
        const [fixed, any] = yield* Effect.promise(() => Promise.all([outputsOf(sized, tensor), outputsOf(detector.anySize, tensor)]))
        expect(fixed).toEqual(any)
      }
      // 4:3 and square frames, and the wider input of a cut face, take the any-size session.
      for (const [width, height] of [[256, 256], [320, 192], [192, 320], [320, 256]] as const) {
        expect(detectorSessionFor(detector, width, height)).toBe(detector.anySize)
      }
    })
  )

  it("a model whose input is not a 4-D image cannot be fixed", () => {
    const { onnx } = onnxProto
    const flat = onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: "", version: 13 }],
      graph: {
        name: "flat",
        input: [{ name: "x", type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 4 }] } } } }],
        output: [{ name: "x", type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }]
      }
    }).finish()
    expect(() => withFixedInputSize(flat, 192, 256)).toThrow(/not a 4-D image tensor/)
  })
})
