/**
 * Measurements read off the 468 FaceMesh landmarks: face box and head pose.
 * Landmark numbers are the canonical MediaPipe face mesh indices.
 */
import type { FaceBox, HeadPose } from "../../domain/FaceAnalyzer.js"
import type { Mesh } from "./FaceMesh.js"

/** Forehead top, chin, subject's right cheek edge, left cheek edge. */
const TOP = 10
const CHIN = 152
const RIGHT_CHEEK = 234
const LEFT_CHEEK = 454

type Vec = [number, number, number]
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const normalize = (v: Vec): Vec => {
  const n = Math.hypot(v[0], v[1], v[2]) || 1
  return [v[0] / n, v[1] / n, v[2] / n]
}
/**
 * FaceMesh puts the forehead point deeper than the chin, so a level head reads as pitched by about
 * this much: the median over the 22 faces of the face-api demo photos, which face the camera.
 */
const LEVEL_HEAD_PITCH = 15
const degrees = (rad: number): number => (rad * 180) / Math.PI

/** Box of all landmarks, scaled to frame pixels. */
export const meshBox = (mesh: Mesh, scale: number): FaceBox => {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (let i = 0; i < mesh.x.length; i++) {
    minX = Math.min(minX, mesh.x[i]!)
    maxX = Math.max(maxX, mesh.x[i]!)
    minY = Math.min(minY, mesh.y[i]!)
    maxY = Math.max(maxY, mesh.y[i]!)
  }
  return { x: minX * scale, y: minY * scale, width: (maxX - minX) * scale, height: (maxY - minY) * scale }
}

/**
 * Head pose from the face's own axes: vertical (forehead to chin) and horizontal (cheek to cheek)
 * in 3-D give a rotation matrix, read as Euler angles (the method of `@vladmandic/human`).
 */
export const headPose = (mesh: Mesh): HeadPose => {
  const p = (i: number): Vec => [mesh.x[i]!, mesh.y[i]!, mesh.z[i]!]
  const yAxis = normalize(sub(p(CHIN), p(TOP)))
  let xAxis = normalize(sub(p(LEFT_CHEEK), p(RIGHT_CHEEK)))
  const zAxis = normalize(cross(xAxis, yAxis))
  xAxis = cross(yAxis, zAxis)
  const [r00, r10, r11, r12, r20] = [xAxis[0], yAxis[0], yAxis[1], yAxis[2], zAxis[0]]
  const roll = Math.atan2(r10, Math.hypot(r00, r20))
  const yaw = Math.atan2(-r20, r00)
  const pitch = Math.atan2(-r12, r11)
  return { yaw: degrees(-yaw), pitch: degrees(-pitch) - LEVEL_HEAD_PITCH, roll: degrees(-roll) }
}
