/**
 * Whether the lower face (mouth, chin) shows the same skin as the upper face. A mask, scarf or
 * object over the mouth changes colour there while cheeks and nose bridge stay skin.
 *
 * Heuristic on purpose: the registry packages ship no occlusion model. Known limits: a hand (skin
 * over skin) is not seen; a thick dark beard can read as covered.
 */
import { MESH_SIZE, type Mesh } from "./FaceMesh.js"

/** Upper-face skin: cheeks under each eye and the nose bridge. */
const REFERENCE = [50, 280, 197] as const
/** Lower face: chin, both jaw sides beside the mouth, the space between nose and upper lip. */
const LOWER = [175, 212, 432, 164] as const
/** Patch radius as a share of the distance between the eye outer corners. */
const PATCH = 0.12
/** Chromaticity distance at which likeness falls to 1/e (skin tones differ by ~0.02 within a face). */
const CHROMA_SCALE = 0.06
/** Brightness ratio spread (log) at which likeness falls to 1/e: shading alone changes ~x1.5. */
const LUMA_SCALE = 0.7

interface Patch {
  readonly r: number
  readonly g: number
  readonly luma: number
}

const patchAt = (mesh: Mesh, index: number, radius: number): Patch => {
  const plane = MESH_SIZE * MESH_SIZE
  const cx = mesh.cropX[index]!
  const cy = mesh.cropY[index]!
  let r = 0
  let g = 0
  let b = 0
  let n = 0
  for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
    for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
      if (x < 0 || y < 0 || x >= MESH_SIZE || y >= MESH_SIZE) continue
      if ((x - cx) ** 2 + (y - cy) ** 2 > radius * radius) continue
      const o = y * MESH_SIZE + x
      r += mesh.crop[o]!
      g += mesh.crop[plane + o]!
      b += mesh.crop[2 * plane + o]!
      n++
    }
  }
  const sum = r + g + b + 1e-6
  return { r: r / sum, g: g / sum, luma: sum / Math.max(n, 1) }
}

const likeness = (a: Patch, b: Patch): number => {
  const chroma = Math.hypot(a.r - b.r, a.g - b.g) / CHROMA_SCALE
  const luma = Math.log((a.luma + 1e-3) / (b.luma + 1e-3)) / LUMA_SCALE
  return Math.exp(-(chroma * chroma + luma * luma))
}

/** Mean likeness in [0, 1] of the lower-face patches to the mean upper-face skin. */
export const lowerFaceVisibility = (mesh: Mesh): number => {
  const eyeSpan = Math.hypot(mesh.cropX[33]! - mesh.cropX[263]!, mesh.cropY[33]! - mesh.cropY[263]!)
  const radius = Math.max(2, eyeSpan * PATCH)
  const refs = REFERENCE.map((i) => patchAt(mesh, i, radius))
  const skin: Patch = {
    r: refs.reduce((s, p) => s + p.r, 0) / refs.length,
    g: refs.reduce((s, p) => s + p.g, 0) / refs.length,
    luma: refs.reduce((s, p) => s + p.luma, 0) / refs.length
  }
  const lower = LOWER.map((i) => likeness(patchAt(mesh, i, radius), skin))
  return lower.reduce((s, v) => s + v, 0) / lower.length
}
