/**
 * A full garbage collection once a burst of uploads is over. V8 collects when JavaScript
 * allocates, not when the process goes quiet: after 150 large uploads closed, their buffers stayed
 * allocated (and RSS high) for as long as no new traffic came. Collecting when the upload budget
 * drains, at most every `MIN_INTERVAL_MS` and only after a burst worth it, gives the memory back
 * within a second or two (docs/operations.md, "Limits"). One collection of this service's heap
 * takes a few tens of milliseconds.
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** Uploads holding less than this at their peak are left to V8's own schedule. */
export const BURST_BYTES = 32 * 1024 * 1024
const MIN_INTERVAL_MS = 10_000
const SETTLE_MS = 500

type Collect = () => void

/**
 * V8's `gc()`, which Node exposes only with --expose-gc; `npm start` runs without flags, so the
 * flag is set now and the function taken from a fresh context (where V8 installs it).
 */
const exposeGc = (): Collect | undefined => {
  const existing = (globalThis as { gc?: Collect }).gc
  if (existing !== undefined) return existing
  v8.setFlagsFromString("--expose-gc")
  const collect: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : undefined")
  return typeof collect === "function" ? (collect as Collect) : undefined
}

/** Returns the callback for `UploadBudget`'s drained event: (peak bytes held during the burst). */
export const reclaimAfterBursts = (): ((peakBytes: number) => void) => {
  const collect = exposeGc()
  let last = 0
  let pending: NodeJS.Timeout | undefined
  return (peakBytes) => {
    if (collect === undefined || peakBytes < BURST_BYTES || pending !== undefined) return
    const wait = Math.max(SETTLE_MS, last + MIN_INTERVAL_MS - Date.now())
    pending = setTimeout(() => {
      pending = undefined
      last = Date.now()
      collect()
    }, wait)
    pending.unref()
  }
}
