/**
 * BlazeFace (the MediaPipe "back camera" model, 16x16 and 8x8 anchor grids at 256 px): decodes
 * its raw outputs into scored face boxes with six keypoints, then suppresses overlaps.
 */
import type ort from "onnxruntime-node"

export interface Point {
  readonly x: number
  readonly y: number
}

export interface Detection {
  readonly score: number
  /** In the detector input's pixels. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  /** Subject's right eye, left eye, nose tip, mouth, right ear, left ear. */
  readonly keypoints: ReadonlyArray<Point>
}

/** Feature-map strides of the network and anchors per cell (MediaPipe SSD anchor options). */
const grids = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 }
] as const

const anchorCache = new Map<string, Float32Array>()

/**
 * Anchor centres (x, y) in input pixels, in the order the network emits them (row by row). The
 * input may be a rectangle: the network is fully convolutional and its grids follow the input.
 */
export const anchorsFor = (width: number, height: number = width): Float32Array => {
  const key = `${width}x${height}`
  const cached = anchorCache.get(key)
  if (cached !== undefined) return cached
  const out: Array<number> = []
  for (const { stride, perCell } of grids) {
    const cellsX = Math.ceil(width / stride)
    const cellsY = Math.ceil(height / stride)
    for (let y = 0; y < cellsY; y++)
      for (let x = 0; x < cellsX; x++) for (let n = 0; n < perCell; n++) out.push(stride * (x + 0.5), stride * (y + 0.5))
  }
  const anchors = Float32Array.from(out)
  anchorCache.set(key, anchors)
  return anchors
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))))

const iou = (a: Detection, b: Detection): number => {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  return inter / (a.width * a.height + b.width * b.height - inter)
}

/** Overlap above which two boxes are the same face (MediaPipe uses 0.3). */
const SAME_FACE_IOU = 0.3

const byScoreDescending = (a: Detection, b: Detection): number => b.score - a.score

/** Orders the outputs: per grid (16-stride first), scores [n,1] and regressors [n,16]. */
const splitOutputs = (outputs: ort.InferenceSession.ReturnType) => {
  const tensors = Object.values(outputs)
  const byCount = (last: number) =>
    tensors.filter((t) => t.dims[2] === last).sort((a, b) => Number(b.dims[1]) - Number(a.dims[1]))
  return { scores: byCount(1), boxes: byCount(16) }
}

export const decodeDetections = (
  outputs: ort.InferenceSession.ReturnType,
  width: number,
  height: number,
  minScore: number
): Array<Detection> => {
  const anchors = anchorsFor(width, height)
  const { scores, boxes } = splitOutputs(outputs)
  const candidates: Array<Detection> = []
  let base = 0
  for (let g = 0; g < scores.length; g++) {
    const s = scores[g]!.data as Float32Array
    const r = boxes[g]!.data as Float32Array
    for (let i = 0; i < s.length; i++) {
      const score = sigmoid(s[i]!)
      if (score >= minScore) {
        const ax = anchors[(base + i) * 2]!
        const ay = anchors[(base + i) * 2 + 1]!
        const o = i * 16
        const width = r[o + 2]!
        const height = r[o + 3]!
        const keypoints: Array<Point> = []
        for (let k = 0; k < 6; k++) keypoints.push({ x: ax + r[o + 4 + k * 2]!, y: ay + r[o + 5 + k * 2]! })
        candidates.push({ score, x: ax + r[o]! - width / 2, y: ay + r[o + 1]! - height / 2, width, height, keypoints })
      }
    }
    base += s.length
  }
  candidates.sort(byScoreDescending)
  const kept: Array<Detection> = []
  for (const c of candidates) if (kept.every((k) => iou(k, c) < SAME_FACE_IOU)) kept.push(c)
  return kept
}
