/**
 * Model input and decoded-frame buffers, reused across analyses. Each frame used to allocate ~1.3 MB
 * of tensors (detector, landmarks, eyes, float32), and the garbage collector then cost more than
 * the landmark model (6.5 ms per best frame in a CPU profile). One set is taken per analysis and
 * given back when it ends, so concurrent analyses never share a buffer.
 */
export interface Scratch {
  readonly detector: Float32Array
  readonly mesh: Float32Array
  readonly eyes: Float32Array
  /** Decoded pixels: the best frame's live through the analysis; the other frames' one at a time. */
  readonly bestFrame: Uint8Array
  readonly otherFrame: Uint8Array
  /** Scene tables (SceneChange.ts) of the best frame and of the further frame being compared with it. */
  readonly bestScene: Float64Array
  readonly otherScene: Float64Array
}

export const scratchPool = (detectorSize: number, meshSize: number, eyeSize: number, frameBytes: number, scenePixels: number) => {
  const free: Array<Scratch> = []
  const make = (): Scratch => ({
    detector: new Float32Array(3 * detectorSize * detectorSize),
    mesh: new Float32Array(3 * meshSize * meshSize),
    eyes: new Float32Array(3 * eyeSize * eyeSize),
    bestFrame: new Uint8Array(frameBytes),
    otherFrame: new Uint8Array(frameBytes),
    bestScene: new Float64Array(scenePixels),
    otherScene: new Float64Array(scenePixels)
  })
  return {
    /** A set of buffers for one analysis: `give` it back once the analysis has finished with them. */
    take: (): Scratch => free.pop() ?? make(),
    give: (scratch: Scratch): void => {
      free.push(scratch)
    }
  }
}
