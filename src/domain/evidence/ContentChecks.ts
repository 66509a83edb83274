/**
 * Was the content injected? Frames that are one still (no temporal sensor noise between them, or
 * pixel-identical), too few frames to tell, or a resolution the declared camera does not give.
 * Known virtual cameras are a trust check (`TrustChecks.ts`): they need no pixels.
 */
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG, WEAK } from "../Evidence.js"
import type { FrameForensics } from "../Forensics.js"

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const contentChecks = ({ contents }: OpenedFacts, forensics: FrameForensics, config: DetectionConfig): Array<Evidence> => {
  const out: Array<Evidence> = []
  const { camera } = contents
  const first = forensics.headers[0]
  if (
    first !== undefined &&
    !(first.width === camera.width && first.height === camera.height) &&
    !(first.width === camera.height && first.height === camera.width)
  ) {
    out.push(
      evidence("UNTRUSTED_CONTENT_LOW_CONFIDENCE", WEAK, "camera-resolution", `frames ${first.width}x${first.height}, camera ${camera.width}x${camera.height}`)
    )
  }
  if (contents.frames.length < config.min_frames) {
    out.push(evidence("UNTRUSTED_CONTENT_LOW_CONFIDENCE", WEAK, "frame-count", `${contents.frames.length} frame(s): no temporal evidence`))
    return out
  }
  const pairs = forensics.pairs.filter((p) => p.comparable)
  if (pairs.length === 0) return out
  const identical = Math.max(...pairs.map((p) => p.identicalShare))
  if (identical >= config.max_identical_share) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "identical-frames", `${(identical * 100).toFixed(1)}% of pixels unchanged between frames`))
    return out
  }
  const noise = median(pairs.map((p) => p.temporalNoise))
  if (noise < config.min_temporal_noise) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "temporal-noise", `temporal noise ${noise.toFixed(3)}`))
  } else if (noise < config.low_temporal_noise) {
    out.push(evidence("UNTRUSTED_CONTENT_LOW_CONFIDENCE", WEAK, "temporal-noise", `temporal noise ${noise.toFixed(3)}`))
  }
  return out
}
