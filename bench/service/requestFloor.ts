/**
 * The service's cost for requests that do no capture work, in ms of process CPU each (/proc): a
 * `GET /health` (Node's HTTP, the platform's router and middleware, the access log), a 600 KB body
 * refused for its content type, and a 600 KB multipart upload whose capture does not open (upload,
 * multipart parsing, a native open that fails at once, the error answer); and, as the floor under
 * those, a bare `node:http` server (its own process, no Effect) answering a GET and draining a
 * 600 KB POST. Set against a genuine capture's ~22 ms (docs/performance.md, round 5). Two clients on
 * kept-alive connections, after a warm-up of each kind.
 * Run alone: `npx tsx bench/service/requestFloor.ts`; `bench/run.ts` imports `requestFloor`.
 */
import { spawn } from "node:child_process"
import * as http from "node:http"
import { cpuMillisOf, startService } from "./ServiceProcess.js"

const CLIENTS = 2
const WARM_UP = 300
const REQUESTS = 2000

/** Process CPU per request (ms, from /proc) of the server `pid` at `base`, for each request kind. */
const measure = async (pid: number, base: URL, kinds: Record<string, (send: Send) => Promise<void>>): Promise<Record<string, number>> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })
  const send: Send = (method, path, body, headers = {}) =>
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
  const result: Record<string, number> = {}
  for (const [kind, request] of Object.entries(kinds)) {
    for (let i = 0; i < WARM_UP; i++) await request(send)
    const before = cpuMillisOf(pid)
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < REQUESTS / CLIENTS; i++) await request(send)
    }))
    result[kind] = Number(((cpuMillisOf(pid) - before) / REQUESTS).toFixed(2))
  }
  agent.destroy()
  return result
}

type Send = (method: string, path: string, body?: Buffer, headers?: Record<string, string>) => Promise<void>

const junk = Buffer.alloc(600_000, 7)
const multipart = Buffer.concat([
  Buffer.from('--b\r\ncontent-disposition: form-data; name="capture"; filename="c"\r\ncontent-type: application/octet-stream\r\n\r\n'),
  junk,
  Buffer.from("\r\n--b--\r\n")
])

/** A server with nothing but node:http: answers a GET, drains a POST and answers 400. */
const BARE_SERVER = `
const http = require("node:http")
const server = http.createServer((request, response) => {
  if (request.method === "GET") return response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}')
  request.resume()
  request.on("end", () => response.writeHead(400, { "content-type": "application/json" }).end('{"message":"refused"}'))
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
`

const bareNodeFloor = async (): Promise<Record<string, number>> => {
  const child = spawn(process.execPath, ["-e", BARE_SERVER], { stdio: ["ignore", "pipe", "inherit"] })
  try {
    const port = await new Promise<number>((resolve) => child.stdout.once("data", (line) => resolve(Number(String(line).trim()))))
    return await measure(child.pid!, new URL(`http://127.0.0.1:${port}/`), {
      "bare node:http server, GET": (send) => send("GET", ""),
      "bare node:http server, 600 KB POST drained (400)": (send) => send("POST", "", junk, { "content-type": "text/plain" })
    })
  } finally {
    child.kill()
  }
}

export const requestFloor = async (): Promise<Record<string, number>> => {
  const service = await startService({})
  try {
    const ofService = await measure(service.pid, new URL(service.url), {
      "GET /health": (send) => send("GET", "/health"),
      "POST /liveness/evaluate, 600 KB text/plain (400)": (send) => send("POST", "/liveness/evaluate", junk, { "content-type": "text/plain" }),
      "POST /liveness/evaluate, 600 KB multipart that does not open (400)": (send) =>
        send("POST", "/liveness/evaluate", multipart, { "content-type": "multipart/form-data; boundary=b" })
    })
    return { ...ofService, ...(await bareNodeFloor()) }
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [request, millis] of Object.entries(await requestFloor())) console.log(`${millis.toFixed(2).padStart(6)} ms CPU  ${request}`)
}
