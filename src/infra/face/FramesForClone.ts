/**
 * Frames as they should be posted to a worker. A structured clone of a Uint8Array copies its whole
 * backing ArrayBuffer, not just the view: the addon's frames are views into one decrypted capture,
 * so posting only the best frame (the `/extract` path) would copy every frame of the capture.
 * When the backing buffers hold much more than the frames, the frames are copied out first (one
 * copy of just their bytes); otherwise they go as they are (the clone is the only copy).
 */

/** Backing bytes above this multiple of the frames' own bytes are worth copying the frames out. */
const WASTE_LIMIT = 1.5

export const framesForClone = (frames: ReadonlyArray<Uint8Array>): ReadonlyArray<Uint8Array> => {
  const backing = new Set(frames.map((frame) => frame.buffer))
  let backingBytes = 0
  for (const buffer of backing) backingBytes += buffer.byteLength
  const frameBytes = frames.reduce((sum, frame) => sum + frame.byteLength, 0)
  return backingBytes > WASTE_LIMIT * frameBytes ? frames.map((frame) => frame.slice()) : frames
}
