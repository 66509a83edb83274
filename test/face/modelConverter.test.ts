/**
 * The TF.js -> ONNX converter's channel widening (scripts/models/TfjsToOnnx.ts): a network of 24
 * channels is stored with 32 so that ONNX Runtime keeps it in its blocked layout, and computes what
 * the same network converted channel for channel computes. The graph is small and made here, so
 * that every path of the widening runs: convolutions, depthwise, residual Add, Relu, MaxPool, the
 * zero padding of a shortcut, and consumers that need the real channels (Sigmoid, Reshape). Also
 * the input size: the TF graph's own unless asked free.
 */
import { describe, expect, it } from "@effect/vitest"
import onnxProto from "onnx-proto"
import ort from "onnxruntime-node"
import type { TfAttr, TfGraph, TfNode, TfWeight } from "../../scripts/models/TfjsGraph.js"
import { convertTfjsGraph } from "../../scripts/models/TfjsToOnnx.js"

const { onnx } = onnxProto
const text = (value: string): TfAttr => ({ s: Buffer.from(value, "ascii").toString("base64") })
const list = (values: ReadonlyArray<number>): TfAttr => ({ list: { i: values.map(String) } })
const nhwc = { data_format: text("NHWC"), padding: text("SAME"), strides: list([1, 1, 1, 1]), dilations: list([1, 1, 1, 1]) }

/** Deterministic weights in [-0.5, 0.5). */
const seeded = (count: number, seed: number): Float32Array => {
  let state = seed
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648 - 0.5
  })
}

const graph = (height = -1, width = -1): TfGraph => {
  const weights = new Map<string, TfWeight>()
  const nodes: Array<TfNode> = []
  const constant = (name: string, weight: TfWeight) => {
    weights.set(name, weight)
    nodes.push({ name, op: "Const" })
    return name
  }
  const float = (name: string, shape: ReadonlyArray<number>, seed: number) =>
    constant(name, { dtype: "float32", shape, data: seeded(shape.reduce((a, b) => a * b, 1), seed) })
  const conv = (name: string, x: string, inputs: number, outputs: number, kernel: number, relu: boolean, seed: number): string => {
    const w = float(`${name}/w`, [kernel, kernel, inputs, outputs], seed)
    const b = float(`${name}/b`, [outputs], seed + 1)
    const ops = relu ? ["BiasAdd", "Relu"] : ["BiasAdd"]
    nodes.push({ name, op: "_FusedConv2D", input: [x, w, b], attr: { ...nhwc, fused_ops: { list: { s: ops.map((o) => text(o).s!) } } } })
    return name
  }
  const op = (name: string, kind: string, inputs: ReadonlyArray<string>, attr?: Record<string, TfAttr>) => {
    nodes.push({ name, op: kind, input: inputs, ...(attr === undefined ? {} : { attr }) })
    return name
  }
  const dim = [1, height, width, 3].map((size) => ({ size: String(size) }))
  nodes.push({ name: "input", op: "Placeholder", attr: { shape: { shape: { dim } } } })
  const stem = conv("stem", "input", 3, 24, 3, true, 1)
  const depthwise = op("depthwise", "DepthwiseConv2dNative", [stem, float("depthwise/w", [3, 3, 24, 1], 3)], nhwc)
  const pointwise = conv("pointwise", depthwise, 24, 24, 1, false, 5)
  const block = op("block", "Relu", [op("residual", "AddV2", [pointwise, stem])])
  const pooled = op("pool", "MaxPool", [block], { ...nhwc, ksize: list([1, 2, 2, 1]), strides: list([1, 2, 2, 1]) })
  const paddings = constant("pad/paddings", { dtype: "int32", shape: [4, 2], data: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 24]) })
  const wide = op("pad", "Pad", [pooled, paddings])
  const head = conv("head", conv("wide", wide, 48, 48, 1, true, 7), 48, 6, 1, false, 9)
  const shape = constant("head/shape", { dtype: "int32", shape: [3], data: Int32Array.from([1, -1, 6]) })
  op("scores", "Identity", [op("head/reshape", "Reshape", [head, shape])])
  op("gate", "Identity", [op("gate/sigmoid", "Sigmoid", [block])])
  return { nodes, weights }
}

const run = async (bytes: Uint8Array, input: Float32Array) => {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", intraOpNumThreads: 1 })
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", input, [1, 3, 24, 32]) })
  return Object.fromEntries(session.outputNames.map((name) => [name, out[name]!.data as Float32Array]))
}

/** Channel count of every 4-D activation, from the weights (the graph's input has 3). */
const channelCounts = (model: onnxProto.onnx.ModelProto): Map<string, number> => {
  const initializers = new Map(model.graph!.initializer!.map((t) => [t.name!, t]))
  const int64s = (name: string) => Array.from(new BigInt64Array(Uint8Array.from(initializers.get(name)!.rawData!).buffer), Number)
  const counts = new Map<string, number>([[model.graph!.input![0]!.name!, 3]])
  for (const node of model.graph!.node!) {
    const [first, second] = node.input!.map((name) => counts.get(name))
    const out = node.output![0]!
    if (node.opType === "Conv") counts.set(out, Number(initializers.get(node.input![1]!)!.dims![0]))
    else if (node.opType === "Concat" && first !== undefined && second !== undefined) counts.set(out, first + second)
    else if (node.opType === "Slice") counts.set(out, int64s(node.input![2]!)[0]!)
    else if (["Relu", "Add", "MaxPool", "Sigmoid", "Identity"].includes(node.opType!) && first !== undefined) counts.set(out, first)
  }
  return counts
}

describe("the model converter's channel widening", () => {
  it("stores 24 channels as 32 where ONNX Runtime blocks them, and computes the same outputs", async () => {
    const widened = convertTfjsGraph(graph(), "widening test")
    const plain = convertTfjsGraph(graph(), "widening test", { channelBlock: 1 })
    const model = onnx.ModelProto.decode(widened.bytes)
    const counts = channelCounts(model)
    const inputsOf = (opType: string) => model.graph!.node!.filter((n) => n.opType === opType).flatMap((n) => n.input!.map((i) => counts.get(i)))
    // The 24-channel stage and its shortcut are whole blocks; the head keeps its 6 channels.
    expect(inputsOf("Add")).toEqual([32, 32])
    expect(inputsOf("MaxPool")).toEqual([32])
    expect(inputsOf("Concat")).toEqual([32, 16])
    // The Sigmoid reads the real channels through a Slice (sigmoid(0) is not 0).
    expect(inputsOf("Sigmoid")).toEqual([24])
    expect(channelCounts(onnx.ModelProto.decode(plain.bytes)).get("block")).toBe(24)

    const input = seeded(3 * 24 * 32, 11)
    const [a, b] = await Promise.all([run(widened.bytes, input), run(plain.bytes, input)])
    expect(Object.keys(a).sort()).toEqual(["gate", "scores"])
    for (const name of Object.keys(b)) {
      expect(a[name]!.length).toBe(b[name]!.length)
      let worst = 0
      for (let i = 0; i < b[name]!.length; i++) worst = Math.max(worst, Math.abs(a[name]![i]! - b[name]![i]!))
      // The same sums, some in another order (ORT folds the residual Add into the convolution).
      expect(worst).toBeLessThan(1e-5)
    }
  })

  it("keeps the TF graph's input size unless asked to leave it free", () => {
    const inputShape = (bytes: Uint8Array) =>
      onnx.ModelProto.decode(bytes).graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)))
    expect(inputShape(convertTfjsGraph(graph(24, 32), "fixed").bytes)).toEqual([1, 3, 24, 32])
    expect(inputShape(convertTfjsGraph(graph(24, 32), "free", { freeSpatialSize: true }).bytes)).toEqual([1, 3, "height", "width"])
  })
})
