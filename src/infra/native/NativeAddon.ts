/**
 * Loading the C++ addon (built by the package's install step from binding.gyp) and the shape of
 * what it returns. Result codes are numbers fixed in native/src/result.h.
 */
import { createRequire } from "node:module"

/** Failure codes of `Engine.open`, by number (native/src/result.h). */
export const nativeCodes = {
  1: "TOO_LARGE",
  2: "TRUNCATED",
  3: "BAD_MAGIC",
  4: "UNSUPPORTED_VERSION",
  5: "UNSUPPORTED_SUITE",
  6: "LENGTH_MISMATCH",
  7: "UNKNOWN_SERVICE_KEY",
  8: "DECRYPT_FAILED",
  9: "MALFORMED_TLV",
  10: "MISSING_FIELD",
  11: "DUPLICATE_FIELD",
  12: "UNKNOWN_FIELD",
  13: "FIELD_SIZE",
  14: "LIMIT_EXCEEDED",
  15: "BAD_VALUE",
  16: "UNSUPPORTED_FORMAT_VERSION",
  17: "INTERNAL"
} as const
export type NativeCode = keyof typeof nativeCodes
export type NativeCodeName = (typeof nativeCodes)[NativeCode]

export interface NativeOpenFailure {
  readonly ok: false
  readonly code: NativeCode
  readonly codeName: NativeCodeName
  /** The TLV tag that failed, 0 when not about a field. */
  readonly tag: number
}

export interface NativeOpenSuccess {
  readonly ok: true
  /** Raw from the addon; decoded with the `CaptureContents` Schema before use. */
  readonly capture: unknown
  readonly integrity: unknown
}

export type NativeOpenResult = NativeOpenFailure | NativeOpenSuccess

export interface NativeKeys {
  readonly service: ReadonlyArray<Uint8Array>
  readonly sdk: ReadonlyArray<Uint8Array>
  readonly attestation: ReadonlyArray<Uint8Array>
}

export interface NativeEngineHandle {
  open(capture: Uint8Array): Promise<NativeOpenResult>
}

export interface NativeForensicsInput {
  readonly jpegs: ReadonlyArray<Uint8Array>
  readonly planes: ReadonlyArray<{ readonly data: Uint8Array; readonly width: number; readonly height: number }>
  /** |Laplacian| at or below which a pixel counts as flat. */
  readonly flatLimit: number
}

/** `decodeJpegScaled`'s answer: "unsupported" (progressive, CMYK, 12-bit...) and "corrupt" carry no image. */
export type NativeScaledJpeg =
  | { readonly status: "ok"; readonly width: number; readonly height: number; readonly rgb: Uint8Array }
  | { readonly status: "unsupported" | "corrupt" }

export interface NativeAddon {
  readonly Engine: new (keys: NativeKeys) => NativeEngineHandle
  /** JPEG headers and noise statistics on a libuv worker; raw, decoded with `NativeForensicsResult`. */
  readonly forensics: (input: NativeForensicsInput) => Promise<unknown>
  /**
   * A baseline JPEG decoded at 1/`scale` on a libuv worker (each pixel the mean of the block it
   * covers), as packed RGB; written into `target` when it has room (the answer's `rgb` is then a
   * view of it), else into a new buffer.
   */
  readonly decodeJpegScaled: (jpeg: Uint8Array, scale: 2 | 4 | 8, target?: Uint8Array) => Promise<NativeScaledJpeg>
  readonly formatVersion: number
  readonly maxCaptureBytes: number
}

const addonPath = "../../../build/Release/iad_native.node"

/** Throws when the addon is not built; callers turn that into a startup error. */
export const loadNativeAddon = (): NativeAddon => createRequire(import.meta.url)(addonPath) as NativeAddon
