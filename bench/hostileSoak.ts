/**
 * Hostile traffic against the service as users run it (issue 11): `node bin/iad-service.cjs` in its
 * own process with the replay checker on, driven from this process for `seconds` (default 600) by
 * a mix of genuine captures and attacks on the HTTP layer: slow clients (1 byte/s), 10 MB uploads,
 * malformed HTTP, bit-flipped captures, replays, wrong admin tokens. It reports every answer by
 * kind, any 5xx other than 503 with Retry-After, whether every genuine capture was answered, and
 * the service's RSS and open descriptors at idle before and after (from /proc), the idle level
 * being taken after a 45 s warm-up of the same traffic.
 * Run: `npx tsx bench/hostileSoak.ts [seconds]` (docs/operations.md has a run's numbers).
 */
import * as fs from "node:fs"
import { buildCapture } from "../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../test/fixtures/face/faceFrames.js"
import { connectRaw, sendRaw } from "../test/support/RawHttp.js"
import { captureForm } from "../test/support/TestServer.js"
import { startService } from "./service/ServiceProcess.js"

const ADMIN_TOKEN = "soak-admin-token-0123456789abcdef0123456789"
const GENUINE_POOL = 400
/** Seconds of the same traffic before the idle level is measured. */
const WARM_UP_SECONDS = 45

interface Tally {
  readonly byKind: Record<string, Record<string, number>>
  readonly violations: Array<string>
  genuineSent: number
  genuineAnswered: number
  genuineLive: number
}

const record = (tally: Tally, kind: string, status: number, headers: Headers | Record<string, string>) => {
  const byStatus = (tally.byKind[kind] ??= {})
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
  const retryAfter = headers instanceof Headers ? headers.get("retry-after") : headers["retry-after"]
  if (status >= 500 && !(status === 503 && retryAfter !== null && retryAfter !== undefined)) {
    tally.violations.push(`${kind}: ${status}`)
  }
}

const idleMeasure = (pid: number) => ({
  rssMiB: Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024,
  fds: fs.readdirSync(`/proc/${pid}/fd`).length
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const hostileSoak = async (seconds = 600) => {
  const logPath = `${fs.mkdtempSync("/tmp/iad-soak-")}/service.log`
  const service = await startService({
    env: { FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true", FACEPHI_IAD_ADMIN_TOKEN: ADMIN_TOKEN },
    config: { log: { log_path: logPath, log_level: "INFO", log_size_limit: 100 * 1024 * 1024 } }
  })
  const origin = service.url.replace(/\/api\/v1\/iad$/, "")
  const evaluate = `${service.url}/liveness/evaluate`
  try {
    // Genuine captures are built ahead (each counts once: the replay checker is on), each dated
    // when it will be sent, so that it is fresh then (the window is 300 s; the soak runs longer).
    const frames = await Promise.all([300, 280, 320].map((size) => framedFace(frontalFace, size, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)))
    const warmUps = 60
    const genuinePause = Math.max(50, (seconds * 1000) / GENUINE_POOL)
    // Building takes about 30 s, the warm-up WARM_UP_SECONDS, then 10 s of idle.
    const plannedStart = Date.now() + 40_000 + WARM_UP_SECONDS * 1000
    const pool: Array<Uint8Array> = []
    for (let i = 0; i < GENUINE_POOL + warmUps; i++) {
      const sendAt = i < warmUps ? Date.now() : plannedStart + (GENUINE_POOL + warmUps - 1 - i) * genuinePause
      pool.push(await buildCapture({ keysDir: service.keysDir, frames: [frames[i % 3]!], burst: 3, capturedAt: sendAt }))
    }
    const seen: Array<Uint8Array> = []
    const tally: Tally = { byKind: {}, violations: [], genuineSent: 0, genuineAnswered: 0, genuineLive: 0 }

    const warmUpCaptures = pool.splice(0, warmUps)

    const warmUpGenuine = async () => {
      const capture = warmUpCaptures.pop()
      if (capture === undefined) return
      const response = await fetch(evaluate, { method: "POST", body: captureForm(capture) })
      await response.arrayBuffer()
      seen.push(capture)
    }
    const genuine = async () => {
      const capture = pool.pop() // the last built is dated first
      if (capture === undefined) return
      tally.genuineSent++
      const response = await fetch(evaluate, { method: "POST", body: captureForm(capture) })
      const body = (await response.json()) as { diagnostic?: string }
      tally.genuineAnswered++
      if (body.diagnostic === "Live") tally.genuineLive++
      record(tally, "genuine", response.status, response.headers)
      seen.push(capture)
    }
    const replay = async () => {
      const capture = seen[Math.floor(Math.random() * seen.length)]
      if (capture === undefined) return
      const response = await fetch(evaluate, { method: "POST", body: captureForm(capture) })
      await response.arrayBuffer()
      record(tally, "replay", response.status, response.headers)
    }
    const bitFlip = async () => {
      const source = seen[Math.floor(Math.random() * seen.length)] ?? pool[0]!
      const flipped = Uint8Array.from(source)
      flipped[Math.floor(Math.random() * flipped.length)]! ^= 1 << Math.floor(Math.random() * 8)
      const response = await fetch(evaluate, { method: "POST", body: captureForm(flipped) })
      await response.arrayBuffer()
      record(tally, "bit-flip", response.status, response.headers)
    }
    const bigUpload = async () => {
      const response = await fetch(evaluate, { method: "POST", body: captureForm(new Uint8Array(10 * 1024 * 1024)) })
      await response.arrayBuffer()
      record(tally, "10 MB upload", response.status, response.headers)
    }
    const malformed = async () => {
      const requests = [
        "GARBAGE\r\n\r\n",
        `GET /api/v1/iad/%zz HTTP/1.1\r\nHost: x\r\n\r\n`,
        `POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\nExpect: 200-maybe\r\nContent-Length: 5\r\n\r\nhello`,
        `GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`
      ]
      const answer = await sendRaw(origin, requests[Math.floor(Math.random() * requests.length)]!, 15_000)
      record(tally, "malformed HTTP", answer.status, answer.headers)
    }
    const badToken = async () => {
      const response = await fetch(`${service.url}/config`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer wrong-${Math.random()}` },
        body: JSON.stringify({ liveness_threshold: 0 })
      })
      await response.arrayBuffer()
      record(tally, "bad admin token", response.status, response.headers)
    }
    const slowClient = async () => {
      const connection = await connectRaw(origin)
      const head = "POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
      connection.socket.write(head)
      const trickle = setInterval(() => connection.socket.write("x"), 1000)
      const answer = await connection.answer(60_000)
      clearInterval(trickle)
      connection.socket.destroy()
      record(tally, "slow client (1 byte/s)", answer.status, answer.headers)
    }

    // Each loop repeats its kind until the deadline; genuine captures are paced so the pool lasts.
    // A client-side failure (e.g. the server answered 413 and closed while a 10 MB body was still
    // being sent, which fetch reports as a failure) is counted under its kind.
    let deadline = 0
    const loop = (kind: string, work: () => Promise<void>, pauseMs: number) => async () => {
      while (Date.now() < deadline) {
        await work().catch((error: unknown) => {
          const byStatus = (tally.byKind[kind] ??= {})
          const name = `client error: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message).slice(0, 40) : String(error)}`
          byStatus[name] = (byStatus[name] ?? 0) + 1
        })
        await sleep(pauseMs)
      }
    }
    const hostile = () => [
      loop("replay", replay, 500)(),
      loop("bit-flip", bitFlip, 300)(),
      loop("10 MB upload", bigUpload, 400)(),
      loop("10 MB upload", bigUpload, 400)(),
      loop("malformed HTTP", malformed, 200)(),
      loop("bad admin token", badToken, 300)(),
      ...Array.from({ length: 5 }, () => loop("slow client (1 byte/s)", slowClient, 100)())
    ]
    // The idle level is that of a service that has served this traffic: one-time growth under
    // concurrent load (allocator arenas of libuv's and the face workers' threads, V8 heaps sized
    // to the load) belongs to it. A warm-up of the same mix runs first; its answers are not counted.
    deadline = Date.now() + WARM_UP_SECONDS * 1000
    await Promise.all([loop("genuine", warmUpGenuine, 200)(), loop("genuine", warmUpGenuine, 200)(), ...hostile()])
    for (const kind of Object.keys(tally.byKind)) delete tally.byKind[kind]
    tally.violations.length = 0
    await sleep(10_000)
    const before = idleMeasure(service.pid)
    deadline = Date.now() + seconds * 1000
    await Promise.all([loop("genuine", genuine, genuinePause)(), ...hostile()])
    await sleep(15_000)
    const after15s = idleMeasure(service.pid)
    await sleep(45_000)
    const after = idleMeasure(service.pid)
    const { violations, ...counts } = tally
    return { seconds, logPath, before, after15s, after, ...counts, violations: violations.length, firstViolations: violations.slice(0, 5) }
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await hostileSoak(Number(process.argv[2] ?? 600))
  console.log(JSON.stringify(result, null, 2))
  const growth = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`
  console.log(`15 s after: RSS ${result.after15s.rssMiB.toFixed(0)} MiB, fds ${result.after15s.fds}; 60 s after:`)
  console.log(`RSS idle ${result.before.rssMiB.toFixed(0)} -> ${result.after.rssMiB.toFixed(0)} MiB (${growth(result.before.rssMiB, result.after.rssMiB)}), fds ${result.before.fds} -> ${result.after.fds} (${growth(result.before.fds, result.after.fds)})`)
  console.log(`genuine: ${result.genuineAnswered}/${result.genuineSent} answered, ${result.genuineLive} Live; 5xx without Retry-After: ${result.violations}`)
}
