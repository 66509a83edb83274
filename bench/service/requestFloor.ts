/**
 * The service's cost for requests that do no capture work, in ms of process CPU each (/proc): a
 * `GET /health` (Node's HTTP, the platform's router and middleware, the access log), a 600 KB body
 * refused for its content type, and a 600 KB multipart upload whose capture does not open (upload,
 * multipart parsing, a native open that fails at once, the error answer). Set against a genuine
 * capture's ~22 ms (docs/performance.md, round 5). Two clients on kept-alive connections, after a
 * warm-up of each kind.
 * Run alone: `npx tsx bench/service/requestFloor.ts`; `bench/run.ts` imports `requestFloor`.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import { startService } from "./ServiceProcess.js"

const CLIENTS = 2
const WARM_UP = 300
const REQUESTS = 2000

export const requestFloor = async (): Promise<Record<string, number>> => {
  const service = await startService({})
  try {
    const cpuTicks = () => {
      const fields = fs.readFileSync(`/proc/${service.pid}/stat`, "utf8").split(") ")[1]!.split(" ")
      return Number(fields[11]) + Number(fields[12])
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })
    const base = new URL(service.url)
    const send = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) =>
      new Promise<void>((resolve, reject) => {
        const request = http.request(
          { host: base.hostname, port: base.port, path: base.pathname + path, method, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(body.length) } },
          (response) => {
            response.resume()
            response.on("end", resolve)
          }
        )
        request.on("error", reject)
        request.end(body)
      })
    const cpuMillisPerRequest = async (request: () => Promise<void>) => {
      for (let i = 0; i < WARM_UP; i++) await request()
      const before = cpuTicks()
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < REQUESTS / CLIENTS; i++) await request()
      }))
      // /proc counts clock ticks of 10 ms.
      return Number((((cpuTicks() - before) * 10) / REQUESTS).toFixed(2))
    }
    const junk = Buffer.alloc(600_000, 7)
    const multipart = Buffer.concat([
      Buffer.from('--b\r\ncontent-disposition: form-data; name="capture"; filename="c"\r\ncontent-type: application/octet-stream\r\n\r\n'),
      junk,
      Buffer.from("\r\n--b--\r\n")
    ])
    return {
      "GET /health": await cpuMillisPerRequest(() => send("GET", "/health")),
      "POST /liveness/evaluate, 600 KB text/plain (400)": await cpuMillisPerRequest(() =>
        send("POST", "/liveness/evaluate", junk, { "content-type": "text/plain" })
      ),
      "POST /liveness/evaluate, 600 KB multipart that does not open (400)": await cpuMillisPerRequest(() =>
        send("POST", "/liveness/evaluate", multipart, { "content-type": "multipart/form-data; boundary=b" })
      )
    }
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [request, millis] of Object.entries(await requestFloor())) console.log(`${millis.toFixed(2).padStart(6)} ms CPU  ${request}`)
}
