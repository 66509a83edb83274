/**
 * A small load client in the bench's own process (never the service's): `requests` POSTs of one
 * capture from `concurrency` loops over keep-alive connections, with each latency and status. The
 * client shares the machine with the service, so it is kept cheap (its CPU is reported).
 */
import { captureForm } from "../../test/support/TestServer.js"
import { connect, encodeRequest, type KeepAliveConnection } from "./KeepAliveClient.js"

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

/**
 * Captures (at concurrency 2) that bring a fresh service, or one just back from its idle heap
 * release, to its steady state before anything is measured. V8 compiles each of the thousands of
 * functions a capture touches with TurboFan only once it has run enough bytecode, so CPU per capture
 * keeps falling for ~1000 captures: 23-24 ms over the first 250, ~20 over the next 250, 18.5-19.5
 * from ~1000 on (`npx tsx bench/service/warmUpCurve.ts`; docs/performance.md, round 8).
 * `BENCH_WARM_UP` overrides it.
 */
export const STEADY_WARM_UP = Number(process.env.BENCH_WARM_UP ?? 1000)

/**
 * The request of one capture, encoded once (head and multipart body): the client then spends its
 * CPU on sending, not on building a FormData per request (6.5 ms of client CPU a request at
 * concurrency 8 when it did, 0.3 of this 2-core machine's cores taken from the service it measures).
 */
const encodedRequest = async (url: URL, capture: Uint8Array): Promise<Uint8Array> => {
  const form = new Request("http://localhost/", { method: "POST", body: captureForm(capture) })
  const body = new Uint8Array(await form.arrayBuffer())
  return encodeRequest(url, "POST", { "content-type": form.headers.get("content-type")! }, body)
}

/**
 * `requests` POSTs of the capture from `concurrency` loops, each on its own kept-alive connection
 * (KeepAliveClient.ts: Node's http client cost twice its CPU per request, fetch four times).
 */
export const drive = async (url: string, capture: Uint8Array, requests: number, concurrency: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  const statuses: Record<string, number> = {}
  const target = new URL(url)
  const request = await encodedRequest(target, capture)
  const connections = await Promise.all(Array.from({ length: concurrency }, () => connect(target)))
  let issued = 0
  const started = performance.now()
  const loop = async (connection: KeepAliveConnection) => {
    while (issued < requests) {
      issued++
      const t0 = performance.now()
      const status = await connection.send(request)
      latencies.push(performance.now() - t0)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }
  try {
    await Promise.all(connections.map(loop))
  } finally {
    for (const connection of connections) connection.close()
  }
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 }
}
