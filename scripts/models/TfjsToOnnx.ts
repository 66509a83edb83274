/**
 * Converts a TensorFlow.js graph model of the MediaPipe face family (BlazeFace, FaceMesh, Iris) to
 * ONNX. Written here because no converter ships in the npm registry (tf2onnx is Python, and the
 * machines have no network for it). Only the ops those graphs use are supported; any other op
 * fails the build loudly.
 *
 * Layout: TF graphs are NHWC; ONNX convolutions are NCHW. The ONNX model takes NCHW input and keeps
 * activations NCHW; weights are permuted once here; tensors are transposed back to NHWC only
 * before a Reshape or a graph output, so outputs match the TF graph exactly.
 */
import onnxProto from "onnx-proto"
import type { TfAttr, TfGraph, TfNode, TfWeight } from "./TfjsGraph.js"

const { onnx } = onnxProto
type INode = onnxProto.onnx.INodeProto
type ITensor = onnxProto.onnx.ITensorProto
type IAttribute = onnxProto.onnx.IAttributeProto

const OPSET = 13
const NHWC_TO_NCHW = [0, 3, 1, 2]
const NCHW_TO_NHWC = [0, 2, 3, 1]

/** Layout of a converted activation: 4-D channel-first, or anything else kept as TF has it. */
type Layout = "nchw" | "plain"

const ascii = (attr: TfAttr | undefined): string => (attr?.s === undefined ? "" : Buffer.from(attr.s, "base64").toString("ascii"))
const ints = (attr: TfAttr | undefined): Array<number> => (attr?.list?.i ?? []).map(Number)
const fusedOps = (node: TfNode): Array<string> =>
  (node.attr?.["fused_ops"]?.list?.s ?? []).map((s) => Buffer.from(s, "base64").toString("ascii"))
const tensorName = (input: string): string => input.replace(/:0$/, "")

const attrInts = (name: string, values: ReadonlyArray<number>): IAttribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: [...values]
})
const attrInt = (name: string, value: number): IAttribute => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value })
const attrString = (name: string, value: string): IAttribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.STRING,
  s: Buffer.from(value, "ascii")
})

const floatTensor = (name: string, dims: ReadonlyArray<number>, data: Float32Array): ITensor => ({
  name,
  dims: [...dims],
  dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
})
const int64Tensor = (name: string, values: ReadonlyArray<number>): ITensor => {
  const data = new BigInt64Array(values.map((v) => BigInt(v)))
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) }
}

/** TF conv filter [H, W, I, O] -> ONNX [O, I, H, W]. */
const convFilter = (w: TfWeight): { dims: Array<number>; data: Float32Array } => {
  const [h, wd, ci, co] = w.shape as [number, number, number, number]
  const out = new Float32Array(w.data.length)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * h + y) * wd + x] = w.data[((y * wd + x) * ci + i) * co + o]!
  return { dims: [co, ci, h, wd], data: out }
}

/** TF depthwise filter [H, W, C, M] -> ONNX grouped conv [C*M, 1, H, W], output channel c*M+m. */
const depthwiseFilter = (w: TfWeight): { dims: Array<number>; data: Float32Array; groups: number } => {
  const [h, wd, c, m] = w.shape as [number, number, number, number]
  const out = new Float32Array(w.data.length)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let ch = 0; ch < c; ch++)
        for (let k = 0; k < m; k++) out[((ch * m + k) * h + y) * wd + x] = w.data[((y * wd + x) * c + ch) * m + k]!
  return { dims: [c * m, 1, h, wd], data: out, groups: c }
}

/** An ONNX filter [O, I, H, W] with zero filters appended up to `outputs` and zero weights up to `inputs`. */
const widenFilter = (
  filter: { dims: Array<number>; data: Float32Array },
  outputs: number,
  inputs: number
): { dims: Array<number>; data: Float32Array } => {
  const [o, i, h, w] = filter.dims as [number, number, number, number]
  if (outputs === o && inputs === i) return filter
  const data = new Float32Array(outputs * inputs * h * w)
  for (let out = 0; out < o; out++)
    for (let input = 0; input < i; input++)
      data.set(filter.data.subarray((out * i + input) * h * w, (out * i + input + 1) * h * w), (out * inputs + input) * h * w)
  return { dims: [outputs, inputs, h, w], data }
}

export interface ConvertedModel {
  readonly bytes: Uint8Array
  readonly inputName: string
  readonly outputNames: ReadonlyArray<string>
}

export interface ConvertOptions {
  /** Channel counts are widened to a multiple of this (see `widenedCount`); 1 converts as TF has them. */
  readonly channelBlock?: number
  /**
   * The input's height and width left free (any size), for a graph run at more than one size; by
   * default they stay the TF graph's own. Fixed sizes let ONNX Runtime prove a residual block's two
   * branches the same shape and fold its Add into the convolution (FaceMesh 0.90 -> 0.77 ms, Iris
   * 0.94 -> 0.88 ms a run); with free sizes it adds them in a pass of its own.
   */
  readonly freeSpatialSize?: boolean
}

export const convertTfjsGraph = (graph: TfGraph, producer: string, options: ConvertOptions = {}): ConvertedModel => {
  const nodes: Array<INode> = []
  const initializers: Array<ITensor> = []
  const layouts = new Map<string, Layout>()
  /** Channel count of each channel-first activation, where the graph fixes it. */
  const channelCounts = new Map<string, number>()
  const channelsOf = (input: string): number | undefined => channelCounts.get(tensorName(input))
  const keepChannels = (input: string, out: string) => {
    const channels = channelsOf(input)
    if (channels !== undefined) channelCounts.set(out, channels)
  }
  /**
   * Channel counts ONNX Runtime's blocked layout takes whole: a multiple of its block of 16 floats
   * with AVX-512, 8 with AVX2 (`channelBlock`, 16 by default, suits both). A 24-channel activation
   * (BlazeFace's first two stages) is padded by ORT inside each convolution, but its MaxPool then
   * cannot stay blocked, and every Add and Relu of those stages ran unfused in plain layout with a
   * reorder on each side. Such an activation is stored here with zero channels appended up to the
   * next multiple of the block ("widened"): the
   * convolutions get zero weights for them, and Relu, Add, MaxPool and the zero padding of a
   * shortcut keep zeros zero, so the real channels are computed as before. Only an activation whose
   * every consumer is one of those ops is widened; any other consumer reads a Slice of the real
   * channels (`realChannels`).
   */
  const channelBlock = options.channelBlock ?? 16
  const storedCounts = new Map<string, number>()
  const storedOf = (input: string): number | undefined => storedCounts.get(tensorName(input)) ?? channelsOf(input)
  const isWidened = (input: string): boolean => storedCounts.has(tensorName(input))
  const keepStored = (input: string, out: string) => {
    const stored = storedCounts.get(tensorName(input))
    if (stored !== undefined) storedCounts.set(out, stored)
  }
  /** For ops that keep zero channels zero (Relu, PReLU, MaxPool): the real and stored counts both pass through. */
  const keepAllChannels = (input: string, out: string) => {
    keepChannels(input, out)
    keepStored(input, out)
  }
  const consumers = new Map<string, Array<string>>()
  for (const node of graph.nodes)
    for (const input of node.input ?? []) {
      const name = tensorName(input.replace(/^\^/, ""))
      consumers.set(name, [...(consumers.get(name) ?? []), node.op])
    }
  const keepsZeroChannels = new Set(["_FusedConv2D", "DepthwiseConv2dNative", "AddV2", "Relu", "MaxPool", "Pad", "Prelu"])
  const widenedCount = (out: string, channels: number): number =>
    channels >= 8 && channels % channelBlock !== 0 && (consumers.get(out) ?? []).every((op) => keepsZeroChannels.has(op))
      ? Math.ceil(channels / channelBlock) * channelBlock
      : channels
  const realSlices = new Map<string, string>()
  const consts = new Map<string, TfWeight>()
  let counter = 0
  const fresh = (base: string): string => `${base}__${counter++}`

  for (const node of graph.nodes) {
    if (node.op !== "Const") continue
    const w = graph.weights.get(node.name)
    if (w !== undefined) consts.set(node.name, w)
  }
  const constOf = (input: string): TfWeight => {
    const w = consts.get(tensorName(input))
    if (w === undefined) throw new Error(`${producer}: ${input} is not a constant`)
    return w
  }
  const floatConst = (base: string, dims: ReadonlyArray<number>, data: Float32Array): string => {
    const name = fresh(base)
    initializers.push(floatTensor(name, dims, data))
    return name
  }
  const int64Const = (base: string, values: ReadonlyArray<number>): string => {
    const name = fresh(base)
    initializers.push(int64Tensor(name, values))
    return name
  }
  const emit = (opType: string, inputs: Array<string>, output: string, attribute: Array<IAttribute> = []): string => {
    nodes.push({ opType, input: inputs, output: [output], name: fresh(output), attribute })
    return output
  }
  /** The activation with only its real channels: a widened one is sliced (once), any other is itself. */
  const realChannels = (input: string): string => {
    const name = tensorName(input)
    if (!isWidened(name)) return name
    const cached = realSlices.get(name)
    if (cached !== undefined) return cached
    const channels = channelsOf(name)!
    const bounds = [int64Const(`${name}_from`, [0]), int64Const(`${name}_to`, [channels]), int64Const(`${name}_axes`, [1])]
    const sliced = emit("Slice", [name, ...bounds], fresh(`${name}_real`))
    layouts.set(sliced, "nchw")
    channelCounts.set(sliced, channels)
    realSlices.set(name, sliced)
    return sliced
  }
  const layoutOf = (input: string): Layout => layouts.get(tensorName(input)) ?? "plain"
  /** A 4-D activation as TF sees it (NHWC), for ops whose semantics depend on memory order. */
  const asTf = (input: string): string =>
    layoutOf(input) === "nchw"
      ? emit("Transpose", [realChannels(input)], fresh(`${tensorName(input)}_nhwc`), [attrInts("perm", NCHW_TO_NHWC)])
      : tensorName(input)
  /** x times a constant per channel, as a 1x1 convolution with one group per channel (ORT keeps it blocked). */
  const channelScale = (x: string, weights: Float32Array, base: string, out: string): string =>
    emit("Conv", [x, floatConst(`${base}_scale`, [weights.length, 1, 1, 1], weights)], out, [
      attrInt("group", weights.length),
      attrInts("kernel_shape", [1, 1])
    ])
  /**
   * `count` zero channels of x's size, from a 1x1 convolution of x with zero weights: one weight
   * per channel when the counts match, else a whole (ungrouped) convolution, the only other kind
   * ORT keeps blocked (BlazeFace's one case: 16 from 32 channels at 24x32, ~0.4 M multiplies).
   */
  const zeroChannels = (x: string, xChannels: number, count: number, out: string): string => {
    if (count === xChannels) return channelScale(x, new Float32Array(count), out, fresh(`${out}_zeros`))
    const weights = floatConst(`${out}_scale`, [count, xChannels, 1, 1], new Float32Array(count * xChannels))
    return emit("Conv", [x, weights], fresh(`${out}_zeros`), [attrInts("kernel_shape", [1, 1])])
  }
  /**
   * PReLU, written as x + (1 - s) * Relu(-x) with both products as `channelScale`: x for x > 0,
   * otherwise x + (1 - s) * (-x) = s * x (within a rounding of x). The point is ONNX Runtime's
   * blocked (NCHWc) layout: its transformer keeps Conv, Relu, Add and Concat blocked but not Max or
   * a Mul by a per-channel constant, so the former Max(x, s*x) cost every PReLU a reorder out of
   * the blocked layout and one back in (with the channel padding below: Iris 1.44 -> 1.05 ms,
   * FaceMesh 1.36 -> 0.98 ms a run; bench/modelRuns.ts). ORT's own PRelu kernel branches per element
   * and is slower still. Both products fuse into their convolutions (the Relu as its activation, the
   * Add as its sum), so each PReLU is two passes; the earlier Relu(x) + (-s) * Relu(-x), exact per
   * element, needed a third for Relu(x), whose input the negation also reads (Iris 1.10 -> 1.00 ms,
   * FaceMesh 1.02 -> 0.93 ms). Kept blocked, ORT also folds the residual Adds into the
   * convolutions, which changes their rounding: outputs move within float32 reordering error
   * (test/face/convertedModels.test.ts), and eval:faces answers every burst as before.
   */
  const prelu = (x: string, slopeInput: string, out: string): string => {
    const alpha = constOf(slopeInput)
    if (alpha.dtype !== "float32") throw new Error(`${producer}: PReLU slope must be float`)
    // A widened x gets zero slopes for its zero channels, which keeps them zero.
    const slopes = new Float32Array(storedOf(x) ?? alpha.data.length)
    slopes.set(alpha.data as Float32Array)
    const base = tensorName(slopeInput)
    const negated = channelScale(x, new Float32Array(slopes.length).fill(-1), base, fresh(`${out}_negated`))
    const negativePart = emit("Relu", [negated], fresh(`${out}_negative`))
    const scaled = channelScale(negativePart, slopes.map((s) => 1 - s), base, fresh(`${out}_scaled`))
    return emit("Add", [scaled, x], out)
  }
  const spatial = (node: TfNode, key: string): Array<number> => {
    const v = ints(node.attr?.[key])
    if (ascii(node.attr?.["data_format"]) !== "NHWC") throw new Error(`${producer}: ${node.name} is not NHWC`)
    return v.length === 4 ? [v[1]!, v[2]!] : [1, 1]
  }
  const padAttrs = (node: TfNode): Array<IAttribute> => {
    const padding = ascii(node.attr?.["padding"])
    // TF "SAME" puts the odd pixel at the end, which is ONNX SAME_UPPER.
    if (padding === "SAME") return [attrString("auto_pad", "SAME_UPPER")]
    if (padding === "VALID") return []
    throw new Error(`${producer}: ${node.name} has padding ${padding}`)
  }

  let inputName = ""
  let inputDims: Array<number> = []
  const outputs: Array<string> = []
  for (const node of graph.nodes) {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith("^"))
    const out = node.name
    switch (node.op) {
      case "Const":
        break
      case "Placeholder": {
        inputName = out
        const dims = (node.attr?.["shape"]?.shape?.dim ?? []).map((d) => Number(d.size))
        // Batch and channels as TF has them; height and width too unless asked free (see Reshape).
        const kept = (axis: number) => axis === 0 || axis === 3 || options.freeSpatialSize !== true
        inputDims = NHWC_TO_NCHW.map((axis) => (kept(axis) ? (dims[axis] ?? -1) : -1))
        layouts.set(out, "nchw")
        if ((dims[3] ?? -1) > 0) channelCounts.set(out, dims[3]!)
        break
      }
      case "_FusedConv2D":
      case "DepthwiseConv2dNative": {
        const w = constOf(inputs[1]!)
        const depthwise = node.op === "DepthwiseConv2dNative"
        const real = depthwise ? depthwiseFilter(w) : { ...convFilter(w), groups: 1 }
        // A widened input: a plain convolution reads its zero channels through zero weights; a
        // depthwise one (one filter per channel) gets zero filters for them, unless it multiplies
        // channels, which then reads the real channels only.
        const channelwise = depthwise && real.groups === real.dims[0]
        const x = depthwise && !channelwise ? realChannels(inputs[0]!) : tensorName(inputs[0]!)
        const inputStored = storedOf(x) ?? (depthwise ? real.groups : real.dims[1]!)
        const outputs = channelwise ? inputStored : depthwise ? real.dims[0]! : widenedCount(out, real.dims[0]!)
        const filter = widenFilter(real, outputs, depthwise ? 1 : inputStored)
        const groups = channelwise ? inputStored : real.groups
        const convInputs = [x, floatConst(`${out}_w`, filter.dims, filter.data)]
        const ops = depthwise ? [] : fusedOps(node)
        if (ops[0] === "BiasAdd") {
          const bias = constOf(inputs[2]!)
          const widenedBias = new Float32Array(outputs)
          widenedBias.set(bias.data as Float32Array)
          convInputs.push(floatConst(`${out}_b`, [outputs], widenedBias))
        } else if (ops.length > 0) throw new Error(`${producer}: ${node.name} fuses ${ops.join(",")}`)
        const attrs = [
          attrInts("strides", spatial(node, "strides")),
          attrInts("dilations", spatial(node, "dilations")),
          attrInt("group", groups),
          ...padAttrs(node)
        ]
        const activation = ops[1]
        const realOutputs = real.dims[0]!
        const conv = activation === undefined ? out : fresh(`${out}_conv`)
        emit("Conv", convInputs, conv, attrs)
        channelCounts.set(conv, realOutputs)
        if (outputs !== realOutputs) storedCounts.set(conv, outputs)
        if (activation === "Relu") emit("Relu", [conv], out)
        else if (activation === "Prelu") prelu(conv, inputs[3]!, out)
        else if (activation !== undefined) throw new Error(`${producer}: ${node.name} fuses ${activation}`)
        layouts.set(out, "nchw")
        channelCounts.set(out, realOutputs)
        if (outputs !== realOutputs) storedCounts.set(out, outputs)
        break
      }
      case "AddV2": {
        if (layoutOf(inputs[0]!) !== layoutOf(inputs[1]!)) throw new Error(`${producer}: ${node.name} mixes layouts`)
        // Zeros add to zeros: two activations stored alike add as they are, others by real channels.
        const alike = storedOf(inputs[0]!) === storedOf(inputs[1]!) && isWidened(inputs[0]!) === isWidened(inputs[1]!)
        emit("Add", alike ? inputs.map(tensorName) : inputs.map(realChannels), out)
        layouts.set(out, layoutOf(inputs[0]!))
        keepChannels(inputs[0]!, out)
        if (alike) keepStored(inputs[0]!, out)
        break
      }
      case "Relu": {
        emit(node.op, [tensorName(inputs[0]!)], out)
        layouts.set(out, layoutOf(inputs[0]!))
        keepAllChannels(inputs[0]!, out)
        break
      }
      case "Sigmoid":
      case "Identity": {
        emit(node.op, [realChannels(inputs[0]!)], out)
        layouts.set(out, layoutOf(inputs[0]!))
        keepChannels(inputs[0]!, out)
        break
      }
      case "Prelu": {
        prelu(tensorName(inputs[0]!), inputs[1]!, out)
        layouts.set(out, "nchw")
        keepAllChannels(inputs[0]!, out)
        break
      }
      case "MaxPool": {
        emit("MaxPool", [tensorName(inputs[0]!)], out, [
          attrInts("kernel_shape", spatial(node, "ksize")),
          attrInts("strides", spatial(node, "strides")),
          ...padAttrs(node)
        ])
        layouts.set(out, "nchw")
        keepAllChannels(inputs[0]!, out)
        break
      }
      case "Pad": {
        const p = constOf(inputs[1]!)
        if (p.shape.length !== 2 || p.shape[0] !== 4) throw new Error(`${producer}: ${node.name} pads a non 4-D tensor`)
        const before = NHWC_TO_NCHW.map((axis) => p.data[axis * 2]!)
        const after = NHWC_TO_NCHW.map((axis) => p.data[axis * 2 + 1]!)
        const channels = channelsOf(inputs[0]!)
        const onlyAddsChannels = before.every((v) => v === 0) && after.every((v, axis) => axis === 1 || v === 0)
        const onlySpatial = before[1] === 0 && after[1] === 0
        if (channels !== undefined && onlyAddsChannels && after[1] === channels) {
          // Zero channels appended (a residual block widening its shortcut), written as a concat
          // with zeros (0 * x) so that the shortcut stays in ONNX Runtime's blocked layout. A
          // widened x already ends in zeros: it needs fewer appended.
          const stored = widenedCount(out, 2 * channels)
          const x = (storedOf(inputs[0]!) ?? channels) <= stored ? tensorName(inputs[0]!) : realChannels(inputs[0]!)
          const xStored = storedOf(x) ?? channels
          if (stored === xStored) emit("Identity", [x], out)
          else emit("Concat", [x, zeroChannels(x, xStored, stored - xStored, out)], out, [attrInt("axis", 1)])
          if (stored !== 2 * channels) storedCounts.set(out, stored)
        } else {
          // Zero pixels around zero channels stay zero; any other padding reads the real channels.
          const x = onlySpatial ? tensorName(inputs[0]!) : realChannels(inputs[0]!)
          emit("Pad", [x, int64Const(`${out}_pads`, [...before, ...after])], out)
          if (onlySpatial) keepStored(inputs[0]!, out)
        }
        layouts.set(out, "nchw")
        if (channels !== undefined) channelCounts.set(out, channels + after[1]!)
        break
      }
      case "Reshape": {
        const shape = [...constOf(inputs[1]!).data]
        // BlazeFace reshapes its grid into [1, anchors, values]; leaving the anchor count free lets
        // the detector run at another input size (anchors then follow the grid).
        if (shape.length === 3) shape[1] = -1
        emit("Reshape", [asTf(inputs[0]!), int64Const(`${out}_shape`, shape)], out)
        layouts.set(out, "plain")
        break
      }
      case "ConcatV2": {
        const parts = inputs.slice(0, -1)
        const axisConst = constOf(inputs[inputs.length - 1]!)
        const nchw = parts.every((p) => layoutOf(p) === "nchw")
        let axis = axisConst.data[0]!
        if (nchw) axis = NHWC_TO_NCHW.indexOf(axis < 0 ? axis + 4 : axis)
        emit("Concat", (nchw ? parts.map(realChannels) : parts.map(asTf)), out, [attrInt("axis", axis)])
        layouts.set(out, nchw ? "nchw" : "plain")
        break
      }
      default:
        throw new Error(`${producer}: unsupported op ${node.op} (${node.name})`)
    }
    if (node.op === "Identity" && !graph.nodes.some((n) => (n.input ?? []).some((i) => tensorName(i) === out)))
      outputs.push(out)
  }

  // Graph outputs must read as in TF (NHWC): re-route any channel-first output through a transpose.
  const graphOutputs = outputs.map((name) => {
    if (layouts.get(name) !== "nchw") return name
    const producerNode = nodes.find((n) => n.output?.[0] === name)!
    const inner = fresh(`${name}_nchw`)
    producerNode.output = [inner]
    emit("Transpose", [inner], name, [attrInts("perm", NCHW_TO_NHWC)])
    return name
  })

  const valueInfo = (name: string, dims?: ReadonlyArray<number>): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        ...(dims === undefined ? {} : { shape: { dim: dims.map((d, i) => (d < 0 ? { dimParam: ["batch", "channels", "height", "width"][i] ?? `d${i}` } : { dimValue: d })) } })
      }
    }
  })
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: `iad-service tfjs-to-onnx (${producer})`,
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: producer,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, inputDims)],
      output: graphOutputs.map((name) => valueInfo(name))
    }
  })
  return { bytes: onnx.ModelProto.encode(model).finish(), inputName, outputNames: graphOutputs }
}
