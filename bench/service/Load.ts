/**
 * A small load client in the bench's own process (never the service's): `requests` POSTs of one
 * capture from `concurrency` loops over keep-alive connections, with each latency and status. The
 * client shares the machine with the service, so it is kept cheap (its CPU is reported).
 */
import * as http from "node:http"
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
 * The multipart body of one capture, encoded once: the client then spends its CPU on sending, not
 * on building a FormData per request (6.5 ms of client CPU a request at concurrency 8, 0.3 of this
 * 2-core machine's cores taken from the service it measures).
 */
const encodedForm = async (capture: Uint8Array): Promise<{ body: Uint8Array; contentType: string }> => {
  const request = new Request("http://localhost/", { method: "POST", body: captureForm(capture) })
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get("content-type")! }
}

/** One POST over `agent`'s kept-alive connections: status and latency (the answer is read whole). */
const post = (url: URL, agent: http.Agent, body: Uint8Array, contentType: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", agent, headers: { "content-type": contentType, "content-length": body.byteLength } }, (response) => {
      response.on("data", () => {})
      response.on("end", () => resolve(response.statusCode ?? 0))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(body)
  })

/**
 * `requests` POSTs of the capture from `concurrency` loops, through Node's own http client with
 * kept-alive connections (fetch cost the client ~2x the CPU per request, taken from the service).
 */
export const drive = async (url: string, capture: Uint8Array, requests: number, concurrency: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  const statuses: Record<string, number> = {}
  const { body, contentType } = await encodedForm(capture)
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  let issued = 0
  const started = performance.now()
  const loop = async () => {
    while (issued < requests) {
      issued++
      const t0 = performance.now()
      const status = await post(target, agent, body, contentType)
      latencies.push(performance.now() - t0)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, loop))
  } finally {
    agent.destroy()
  }
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 }
}
