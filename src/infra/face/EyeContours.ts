/**
 * Eye openness from the MediaPipe Iris model: it redraws each eye's lid contour on a 64x64 crop,
 * which follows closed lids far better than the coarse FaceMesh eye points.
 */
import type { InferenceSession } from "onnxruntime-node"
import type { Mesh } from "./FaceMesh.js"
import { runModel } from "./FaceModels.js"
import { type Affine, rotatedCrop, warpToTensor } from "./ImageWarp.js"
import type { RgbImage } from "./RgbImage.js"

export const IRIS_SIZE = 64
/** Eye crop side over corner-to-corner distance (MediaPipe iris graph). */
const EYE_CROP_SCALE = 2.3
/** Contour indices: corners, and upper/lower lid points facing each other (MediaPipe layout). */
const CORNERS = [0, 8] as const
const LID_PAIRS = [
  [11, 3],
  [12, 4],
  [13, 5]
] as const

/** Mesh corners per eye: subject's right eye (33, 133), left eye (263, 362). */
const EYES = { right: [33, 133], left: [263, 362] } as const

/** The model sees one eye orientation; the subject's left eye is mirrored to match (as in Human). */
const eyeCrop = (mesh: Mesh, corners: readonly [number, number], mirror: boolean): Affine => {
  const [a, b] = corners
  const cx = (mesh.x[a]! + mesh.x[b]!) / 2
  const cy = (mesh.y[a]! + mesh.y[b]!) / 2
  const side = Math.hypot(mesh.x[a]! - mesh.x[b]!, mesh.y[a]! - mesh.y[b]!) * EYE_CROP_SCALE
  const t = rotatedCrop(cx, cy, side, mesh.cropAngle, IRIS_SIZE)
  if (!mirror) return t
  // Mirror: output column u reads what column (size - u) would have read.
  return { ax: -t.ax, bx: t.bx, cx: t.cx + t.ax * IRIS_SIZE, ay: -t.ay, by: t.by, cy: t.cy + t.ay * IRIS_SIZE }
}

const aspectRatio = (values: Float32Array, offset: number): number => {
  const pt = (i: number) => [values[offset + i * 3]!, values[offset + i * 3 + 1]!] as const
  const dist = (i: number, j: number) => Math.hypot(pt(i)[0] - pt(j)[0], pt(i)[1] - pt(j)[1])
  const width = dist(CORNERS[0], CORNERS[1])
  const gap = LID_PAIRS.reduce((sum, [u, l]) => sum + dist(u, l), 0) / LID_PAIRS.length
  return width > 0 ? gap / width : 0
}

type Eye = keyof typeof EYES

/** Iris on one eye: its aspect ratio (lid gap over eye width; scale-free, so crop pixels suffice). */
const irisRatio = async (session: InferenceSession, img: RgbImage, mesh: Mesh, eye: Eye, input: Float32Array) => {
  const crop = warpToTensor(img, eyeCrop(mesh, EYES[eye], eye === "left"), IRIS_SIZE, 1 / 255, 0, IRIS_SIZE, input)
  const outputs = await runModel(session, crop, IRIS_SIZE)
  return aspectRatio(Object.values(outputs)[0]!.data as Float32Array, 0)
}

/**
 * Eye aspect ratio per eye, read by Iris one eye at a time, the more open-looking eye (by the
 * FaceMesh lids) first. Eyes count as closed only when both are (see FaceChecks), so once an eye
 * reads at least `openAt` the other cannot change the answer: it is then not run (1.9 ms saved of
 * 3.3 for both) and reported with its FaceMesh estimate.
 */
export const eyeOpenness = async (
  session: InferenceSession,
  img: RgbImage,
  mesh: Mesh,
  openAt: number,
  input: Float32Array = new Float32Array(IRIS_SIZE * IRIS_SIZE * 3)
) => {
  const estimate = meshEyeOpenness(mesh)
  const [first, second]: [Eye, Eye] = estimate.left > estimate.right ? ["left", "right"] : ["right", "left"]
  const firstRatio = await irisRatio(session, img, mesh, first, input)
  const secondRatio = firstRatio >= openAt ? estimate[second] : await irisRatio(session, img, mesh, second, input)
  return first === "left" ? { left: firstRatio, right: secondRatio } : { left: secondRatio, right: firstRatio }
}

/** FaceMesh lid points facing each other per eye (upper, lower), and its corners as above. */
const MESH_LIDS = {
  right: [
    [160, 144],
    [159, 145],
    [158, 153]
  ],
  left: [
    [387, 373],
    [386, 374],
    [385, 380]
  ]
} as const

const meshAspectRatio = (mesh: Mesh, corners: readonly [number, number], lids: ReadonlyArray<readonly [number, number]>): number => {
  const dist = (i: number, j: number) => Math.hypot(mesh.x[i]! - mesh.x[j]!, mesh.y[i]! - mesh.y[j]!)
  const width = dist(corners[0], corners[1])
  const gap = lids.reduce((sum, [u, l]) => sum + dist(u, l), 0) / lids.length
  return width > 0 ? gap / width : 0
}

/**
 * The same ratio from the FaceMesh lid points, for the report when the Iris model is not run on an
 * eye (an earlier check, or the other eye, already decided the answer). Coarse: FaceMesh draws
 * shut lids as half open (0.23-0.30 on the closed-eye photo, 0.18-0.49 on open eyes of the demo
 * photos), so it never decides EYES_CLOSED.
 */
export const meshEyeOpenness = (mesh: Mesh): { right: number; left: number } => ({
  right: meshAspectRatio(mesh, EYES.right, MESH_LIDS.right),
  left: meshAspectRatio(mesh, EYES.left, MESH_LIDS.left)
})
