/**
 * A SIMULATED camera burst, for tests only: each still becomes N frames that differ the way
 * consecutive camera frames do (sensor noise, a pixel or two of hand micro-motion, small
 * exposure jitter), re-encoded as JPEG. It does not model a real sensor pipeline.
 */
import sharp from "sharp"

/** Where a burst's jitter comes from: numbers in [0, 1), as `Math.random` gives. */
export type RandomSource = () => number

/**
 * A repeatable source for tests that must not depend on the draw: photos near a threshold answer
 * differently on a few bursts in a hundred (docs/face-analysis.md). A linear congruential generator
 * (the C library's constants), as `eval/seededRandom.mjs` uses.
 */
export const seededRandom = (seed: number): RandomSource => {
  let state = Math.abs(Math.trunc(seed)) % 2147483648
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

const burstFrame = async (still: Uint8Array, random: RandomSource): Promise<Buffer> => {
  const jitter = (spread: number) => (random() * 2 - 1) * spread
  const { width, height } = await sharp(still).metadata()
  if (width === undefined || height === undefined) throw new Error("burst: cannot read the image size")
  const shiftX = Math.round(jitter(2))
  const shiftY = Math.round(jitter(2))
  // Micro-motion: extend the edges by the shift, then crop back to the original size.
  // Two pipelines: within one, sharp extracts before it extends.
  const padded = await sharp(still)
    .extend({ top: 2, bottom: 2, left: 2, right: 2, extendWith: "copy" })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const moved = await sharp(padded.data, { raw: padded.info })
    .extract({ left: 2 + shiftX, top: 2 + shiftY, width, height })
    .linear(1 + jitter(0.03), jitter(3)) // exposure and black-level jitter
    .raw()
    .toBuffer({ resolveWithObject: true })
  const pixels = moved.data
  for (let i = 0; i < pixels.length; i++) {
    // Sensor noise: about +/-2 levels per channel.
    const v = pixels[i]! + Math.round(jitter(2))
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  return sharp(pixels, { raw: moved.info }).jpeg({ quality: 90 }).toBuffer()
}

export const simulateBurst = async (
  stills: ReadonlyArray<Uint8Array>,
  count: number,
  random: RandomSource = Math.random
): Promise<Array<Buffer>> => {
  const out: Array<Buffer> = []
  for (const still of stills) for (let i = 0; i < count; i++) out.push(await burstFrame(still, random))
  return out
}

export const jpegSize = async (jpeg: Uint8Array): Promise<{ width: number; height: number }> => {
  const { width, height } = await sharp(jpeg).metadata()
  if (width === undefined || height === undefined) throw new Error("cannot read the JPEG size")
  return { width, height }
}
