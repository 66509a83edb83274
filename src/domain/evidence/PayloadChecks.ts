/**
 * Is the payload internally consistent? A capture that decrypts and verifies can still be put
 * together wrongly (by a hooked SDK or a tool replaying frames): frames out of order, frames that
 * do not decode, frames of different sizes or from another encoder than the SDK's.
 */
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG } from "../Evidence.js"
import type { FrameForensics } from "../Forensics.js"
import { ijgQualityOf, tablesKey } from "./JpegTables.js"

const corrupted = (check: string, detail: string) => evidence("UNTRUSTED_CORRUPTED_PAYLOAD", STRONG, check, detail)

/** Metadata only: frame timestamps must increase strictly (one camera delivers frames in order). */
export const frameOrderChecks = ({ contents }: OpenedFacts): Array<Evidence> => {
  const offsets = contents.frames.map((f) => f.offsetMs)
  const bad = offsets.findIndex((t, i) => i > 0 && t <= offsets[i - 1]!)
  return bad < 0 ? [] : [corrupted("frame-order", `frame ${bad} at ${offsets[bad]} ms, after ${offsets[bad - 1]} ms`)]
}

/** Over the engine's forensics: every frame decodes, one size, one encoder, the SDK's tables. */
export const framePayloadChecks = (forensics: FrameForensics, config: DetectionConfig): Array<Evidence> => {
  const undecodable = forensics.decoded.flatMap((ok, i) => (ok ? [] : [i]))
  const broken = forensics.headers.flatMap((h, i) => (h.ok ? [] : [i]))
  if (undecodable.length > 0 || broken.length > 0) {
    return [corrupted("frame-decode", `frames not decoding: ${[...new Set([...undecodable, ...broken])].join(", ")}`)]
  }
  const out: Array<Evidence> = []
  const sizes = new Set(forensics.headers.map((h) => `${h.width}x${h.height}`))
  if (sizes.size > 1) out.push(corrupted("frame-size", `frames of several sizes: ${[...sizes].join(", ")}`))
  const encoders = new Set(forensics.headers.map((h) => tablesKey(h.tables)))
  if (encoders.size > 1) out.push(corrupted("frame-encoder", `frames from ${encoders.size} different encoders`))
  const qualities = forensics.headers.map((h) => ijgQualityOf(h.tables))
  const foreign = qualities.findIndex((q) => q === undefined || q < config.min_jpeg_quality)
  if (foreign >= 0) {
    const q = qualities[foreign]
    out.push(
      corrupted(
        "frame-tables",
        q === undefined ? `frame ${foreign}: quantisation tables not the SDK encoder's` : `frame ${foreign}: JPEG quality ${q}`
      )
    )
  }
  return out
}
