/**
 * Reads a TensorFlow.js graph model (model.json + weight shards) into plain typed arrays.
 * Only what the face models need: float32 weights (optionally float16- or uint8/uint16-quantized)
 * and int32 constants.
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"

export interface TfNode {
  readonly name: string
  readonly op: string
  readonly input?: ReadonlyArray<string>
  readonly attr?: Readonly<Record<string, TfAttr>>
}

export interface TfAttr {
  readonly s?: string
  readonly i?: string
  readonly f?: number
  readonly b?: boolean
  readonly list?: { readonly i?: ReadonlyArray<string>; readonly s?: ReadonlyArray<string> }
  readonly shape?: { readonly dim?: ReadonlyArray<{ readonly size?: string }> }
  readonly type?: string
}

export type TfWeight =
  | { readonly dtype: "float32"; readonly shape: ReadonlyArray<number>; readonly data: Float32Array }
  | { readonly dtype: "int32"; readonly shape: ReadonlyArray<number>; readonly data: Int32Array }

export interface TfGraph {
  readonly nodes: ReadonlyArray<TfNode>
  readonly weights: ReadonlyMap<string, TfWeight>
}

interface ManifestEntry {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly dtype: "float32" | "int32"
  readonly quantization?: {
    readonly dtype: "float16" | "uint8" | "uint16"
    readonly scale?: number
    readonly min?: number
  }
}

interface ModelJson {
  readonly modelTopology: { readonly node: ReadonlyArray<TfNode> }
  readonly weightsManifest: ReadonlyArray<{ readonly paths: ReadonlyArray<string>; readonly weights: ReadonlyArray<ManifestEntry> }>
}

/** IEEE 754 half -> single. Node 20 has no Float16Array, hence by hand. */
const halfToFloat = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

const decodeEntry = (entry: ManifestEntry, bytes: Buffer, offset: number): { weight: TfWeight; length: number } => {
  const count = sizeOf(entry.shape)
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset)
  const q = entry.quantization
  if (entry.dtype === "int32") {
    const data = new Int32Array(count)
    for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true)
    return { weight: { dtype: "int32", shape: entry.shape, data }, length: count * 4 }
  }
  const data = new Float32Array(count)
  if (q === undefined) {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true)
    return { weight: { dtype: "float32", shape: entry.shape, data }, length: count * 4 }
  }
  if (q.dtype === "float16") {
    for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(i * 2, true))
    return { weight: { dtype: "float32", shape: entry.shape, data }, length: count * 2 }
  }
  const scale = q.scale ?? 1
  const min = q.min ?? 0
  const width = q.dtype === "uint8" ? 1 : 2
  for (let i = 0; i < count; i++) {
    const raw = width === 1 ? view.getUint8(i) : view.getUint16(i * 2, true)
    data[i] = raw * scale + min
  }
  return { weight: { dtype: "float32", shape: entry.shape, data }, length: count * width }
}

export const readTfjsGraph = (modelJsonPath: string): TfGraph => {
  const model = JSON.parse(readFileSync(modelJsonPath, "utf8")) as ModelJson
  const weights = new Map<string, TfWeight>()
  for (const group of model.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))))
    let offset = 0
    for (const entry of group.weights) {
      const { weight, length } = decodeEntry(entry, bytes, offset)
      weights.set(entry.name, weight)
      offset += length
    }
    if (offset !== bytes.length) throw new Error(`${modelJsonPath}: weights use ${offset} of ${bytes.length} bytes`)
  }
  return { nodes: model.modelTopology.node, weights }
}
