/** A decoded frame: packed RGB bytes, plus the scale from its pixels back to the original frame. */
export interface RgbImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
  /** Original frame pixels per pixel of this image (shrink-on-load makes it 1, 2, 4 or 8). */
  readonly scale: number
  readonly frameWidth: number
  readonly frameHeight: number
}
