/**
 * A small load client in the bench's own process (never the service's): `requests` POSTs of one
 * capture from `concurrency` loops over keep-alive connections, with each latency and status.
 */
import { captureForm } from "../../test/support/TestServer.js"

export interface LoadResult {
  readonly latencies: ReadonlyArray<number>
  readonly statuses: Readonly<Record<string, number>>
  readonly seconds: number
}

export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

export const median = (values: ReadonlyArray<number>): number => percentile(values, 0.5)

export const drive = async (url: string, capture: Uint8Array, requests: number, concurrency: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  const statuses: Record<string, number> = {}
  let issued = 0
  const started = performance.now()
  const loop = async () => {
    while (issued < requests) {
      issued++
      const t0 = performance.now()
      const response = await fetch(url, { method: "POST", body: captureForm(capture) })
      await response.arrayBuffer()
      latencies.push(performance.now() - t0)
      statuses[response.status] = (statuses[response.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 }
}
