/**
 * Loading the C++ addon (built by the package's install step from binding.gyp) and the shape of
 * what it returns. Result codes are numbers fixed in native/src/result.h, each named by the addon.
 */
import { createRequire } from "node:module"

export interface NativeOpenFailure {
  readonly ok: false
  /** Numbered in native/src/result.h; named by the addon (`codeName`), which is what callers read. */
  readonly code: number
  readonly codeName: string
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
  /** Grey planes, or packed RGB ones (`channels: 3`, as the scaled decoder writes them) that the addon turns into BT.601 luma off the main thread. */
  readonly planes: ReadonlyArray<{ readonly data: Uint8Array; readonly width: number; readonly height: number; readonly channels?: 1 | 3 }>
  /** |Laplacian| at or below which a pixel counts as flat. */
  readonly flatLimit: number
}

/** The shrinks the addon's scaled JPEG decoder takes. */
export type ScaledJpegShrink = 2 | 4 | 8

/** `decodeJpegScaled`'s answer: "unsupported" (progressive, CMYK, 12-bit...) and "corrupt" carry no image. */
export type NativeScaledJpeg =
  | { readonly status: "ok"; readonly width: number; readonly height: number; readonly rgb: Uint8Array }
  | { readonly status: "unsupported" | "corrupt" }

export interface NativeAddon {
  readonly Engine: new (keys: NativeKeys) => NativeEngineHandle
  /**
   * JPEG headers and noise statistics on a libuv worker; raw, decoded with `NativeForensicsResult`.
   * The frames and planes are read where they are, not copied: the caller must not write or detach
   * them until the promise settles, and calls it from a thread that outlives the work (the service's
   * main thread: a terminated worker thread would free them under the libuv thread reading them).
   */
  readonly forensics: (input: NativeForensicsInput) => Promise<unknown>
  /**
   * A baseline JPEG decoded at 1/`scale` on a libuv worker (each pixel the mean of the block it
   * covers), as packed RGB; written into `target` when it has room (the answer's `rgb` is then a
   * view of it), else into a new buffer. `jpeg` is copied; `target` is written where it is: the
   * caller must not touch it until the promise settles.
   */
  readonly decodeJpegScaled: (jpeg: Uint8Array, scale: ScaledJpegShrink, target?: Uint8Array) => Promise<NativeScaledJpeg>
  /**
   * Bilinear samples of packed RGB (`width` x `height`) through the affine map (ax, bx, cx, ay, by,
   * cy) into `size` x `rows` planar float values `pixel * gain + offset` at the front of `out`
   * (ImageWarp.ts). Synchronous, on the calling thread; throws a TypeError for arguments that do
   * not fit (short buffers, sides outside 1..16384); a NaN map gives NaN values, as JavaScript did.
   */
  readonly warpToTensor: (
    rgb: Uint8Array,
    width: number,
    height: number,
    ax: number,
    bx: number,
    cx: number,
    ay: number,
    by: number,
    cy: number,
    size: number,
    rows: number,
    gain: number,
    offset: number,
    out: Float32Array
  ) => void
  /**
   * The summed-area table of R+G+B of packed RGB (`width` x `height`) into the front of `table`
   * ((width+1) x (height+1) doubles; SceneChange.ts). Synchronous; misfits throw a TypeError.
   */
  readonly sceneTable: (rgb: Uint8Array, width: number, height: number, table: Float64Array) => void
  /** Best +-2 px alignment of two such tables of one frame size and its largest 8x8-cell residual (SceneChange.ts). */
  readonly compareScenes: (
    best: Float64Array,
    other: Float64Array,
    width: number,
    height: number
  ) => { readonly shiftX: number; readonly shiftY: number; readonly maxResidual: number }
  /**
   * Returns the C library's free heap memory to the system (glibc `malloc_trim`; false elsewhere or
   * when there was nothing to give back). Synchronous: ~1 ms after a burst, for an idle moment.
   */
  readonly trimFreeMemory: () => boolean
  /**
   * A full, compacting collection of the calling thread's V8 heap that gives its free pages back
   * (V8's `LowMemoryNotification`). Synchronous, a few tens of ms: for an idle moment, before
   * `trimFreeMemory`.
   */
  readonly releaseHeapMemory: () => void
  readonly formatVersion: number
  readonly maxCaptureBytes: number
}

const addonPath = "../../../build/Release/iad_native.node"

/** Throws when the addon is not built; callers turn that into a startup error. */
export const loadNativeAddon = (): NativeAddon => createRequire(import.meta.url)(addonPath) as NativeAddon

let loaded: NativeAddon | undefined
/**
 * The addon for synchronous helpers called per pixel batch (ImageWarp.ts, SceneChange.ts): loaded
 * on first use and kept, so a call costs no module lookup. Throws like `loadNativeAddon`; the face
 * worker has loaded it at start (its decoder) by the time these run.
 */
export const nativeAddon = (): NativeAddon => (loaded ??= loadNativeAddon())
