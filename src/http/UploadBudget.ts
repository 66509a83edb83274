/**
 * The global budget of body bytes that uploads in progress may hold (`max_upload_bytes_in_flight`).
 * A request reserves its declared `Content-Length` (or, chunked, the body limit it may grow to)
 * when its headers arrive, before a byte of its body is read, and gives it back when its answer is
 * done or its connection closes. A reservation that does not fit is refused: the caller answers
 * 503 with Retry-After, so a burst of large uploads cannot take the process's memory.
 */
export class UploadBudget {
  private held = 0
  private peak = 0

  /**
   * `limit` undefined = no budget. `onDrained` is told the peak held each time uploads in
   * progress go back to none (MemoryReclaim collects garbage then).
   */
  constructor(
    private readonly limit: () => number | undefined,
    private readonly onDrained: (peakBytes: number) => void = () => {}
  ) {}

  get bytesHeld(): number {
    return this.held
  }

  /** A release function when `bytes` fit in what is left, undefined otherwise. */
  reserve(bytes: number): (() => void) | undefined {
    const limit = this.limit()
    if (bytes <= 0) return () => {}
    // One upload alone always passes: a body larger than the whole budget would otherwise be
    // refused for ever, however often the client retried as told.
    if (limit !== undefined && this.held > 0 && this.held + bytes > limit) return undefined
    this.held += bytes
    this.peak = Math.max(this.peak, this.held)
    let released = false
    return () => {
      if (released) return
      released = true
      this.held -= bytes
      if (this.held === 0) {
        const peak = this.peak
        this.peak = 0
        this.onDrained(peak)
      }
    }
  }
}

/**
 * Bytes a request may bring: its declared length, else (chunked) the body limit; 0 for no body.
 * Never more than the body limit: a larger declared body is answered 413 unread.
 */
export const bytesToReserve = (
  headers: { readonly "content-length"?: string | undefined; readonly "transfer-encoding"?: string | undefined },
  bodyLimit: number | undefined
): number => {
  const declared = headers["content-length"]
  if (declared !== undefined && /^\d+$/.test(declared)) return Math.min(Number(declared), bodyLimit ?? Infinity)
  if (headers["transfer-encoding"] !== undefined) return bodyLimit ?? 0
  return 0
}
