/**
 * The addon's arithmetic, pinned: digests of everything the scaled JPEG decoder and the forensics
 * statistics return for fixed inputs (committed JPEG fixtures and the face-api demo photos, decoded
 * as they are; the forensics' frames are crops of one decode at shifted places). A refactor of
 * these kernels (vectorising, reordering loops) must leave both digests as they are: issue 14's
 * sixth round vectorised the decoder's colour conversion and the forensics' sums and kept them. A
 * deliberate change of the numbers updates the digest here and says why in its commit.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { packageDir } from "../../scripts/models/packageDir.js"
import { loadNativeAddon, type NativeScaledJpeg } from "../../src/infra/native/NativeAddon.js"

const addon = loadNativeAddon()

const jpegsIn = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".jpg"))
    .sort()
    .map((name) => readFileSync(join(dir, name)))

/** Committed fixtures (restart intervals, 4:2:2, 4:4:0, and the refused kinds) and six real photos. */
const inputs = () => [...jpegsIn(join(import.meta.dirname, "..", "fixtures", "jpeg")), ...jpegsIn(join(packageDir("@vladmandic/face-api"), "demo"))]

const record = (hash: ReturnType<typeof createHash>, decoded: NativeScaledJpeg) => {
  hash.update(`${decoded.status} ${decoded.status === "ok" ? `${decoded.width}x${decoded.height}` : ""};`)
  if (decoded.status === "ok") hash.update(decoded.rgb)
}

/** `width` x `height` of packed RGB from `image`, starting at (left, top). */
const crop = (image: { width: number; rgb: Uint8Array }, left: number, top: number, width: number, height: number) => {
  const out = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) out.set(image.rgb.subarray(((top + y) * image.width + left) * 3, ((top + y) * image.width + left + width) * 3), y * width * 3)
  return out
}

describe("the addon's pinned outputs", () => {
  it("decodes the fixtures and photos at 1/2, 1/4 and 1/8 to the same bytes", async () => {
    const hash = createHash("sha256")
    const jpegs = inputs()
    expect(jpegs.length).toBe(10)
    for (const jpeg of jpegs) for (const scale of [2, 4, 8] as const) record(hash, await addon.decodeJpegScaled(jpeg, scale))
    expect(hash.digest("hex")).toBe("8673badff022e3139001c0cdbcce82a7a675f7ebe94eae7a4bd17f2f6d8f0f40")
  })

  it("gives the same forensics statistics for shifted crops of each photo, grey and RGB, at three flatness limits", async () => {
    const hash = createHash("sha256")
    for (const jpeg of jpegsIn(join(packageDir("@vladmandic/face-api"), "demo"))) {
      const decoded = await addon.decodeJpegScaled(jpeg, 2)
      if (decoded.status !== "ok") throw new Error(`demo photo does not decode: ${decoded.status}`)
      const width = decoded.width - 4
      const height = decoded.height - 4
      const frames = [crop(decoded, 0, 0, width, height), crop(decoded, 1, 2, width, height), crop(decoded, 3, 1, width, height)]
      const grey = frames.map((rgb) => Uint8Array.from({ length: width * height }, (_, i) => rgb[i * 3 + 1]!))
      for (const flatLimit of [8, 20, 60]) {
        const fromRgb = await addon.forensics({ jpegs: [jpeg], planes: frames.map((data) => ({ data, width, height, channels: 3 })), flatLimit })
        const fromGrey = await addon.forensics({ jpegs: [], planes: grey.map((data) => ({ data, width, height })), flatLimit })
        hash.update(JSON.stringify([fromRgb, fromGrey]))
      }
    }
    expect(hash.digest("hex")).toBe("497ebcded67b75a6658d403fd718ff34783d9db9c9e7488a88d877d32f5e82f3")
  })
})
