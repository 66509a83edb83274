/**
 * RSS of a running service under a burst of large unfinished uploads, read from /proc/<pid>.
 * Start the service on its own (`npm start`), then from another shell:
 *
 *   npx tsx bench/upload-flood.ts <origin> <pid> [uploads=150] [megabytes=10] [hold_seconds=5] [settle_seconds=30]
 *
 * Each upload declares `megabytes` MB, sends 90 % of it and stalls (the body never completes);
 * after `hold_seconds` all are closed and RSS is sampled while the service settles.
 */
import * as fs from "node:fs"
import * as net from "node:net"

const [origin = "", pidText = "", uploadsText = "150", megabytesText = "10", holdText = "5", settleText = "30"] =
  process.argv.slice(2)
const pid = Number(pidText)
const uploads = Number(uploadsText)
const bytes = Number(megabytesText) * 1024 * 1024
const { hostname, port } = new URL(origin)

const rssMiB = (): number => {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  return Math.round(Number(kib) / 1024)
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const statuses = new Map<string, number>()
const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1)

const stalledUpload = (): Promise<net.Socket> =>
  new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        `POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n` +
          `Content-Length: ${bytes}\r\n\r\n--B\r\nContent-Disposition: form-data; name="capture"; filename="c"\r\n\r\n`
      )
      const chunk = Buffer.alloc(64 * 1024, 0x41)
      let sent = 0
      const pump = () => {
        while (sent < bytes * 0.9) {
          sent += chunk.length
          if (!socket.write(chunk)) return void socket.once("drain", pump)
        }
        resolve(socket)
      }
      pump()
    })
    let answered = false
    socket.on("data", (data: Buffer) => {
      if (!answered) count(data.toString("latin1").split(" ")[1] ?? "?")
      answered = true
      resolve(socket)
    })
    socket.on("error", () => {
      if (!answered) count("reset")
      answered = true
      resolve(socket)
    })
  })

const idle = rssMiB()
console.log(`idle RSS ${idle} MiB`)
const sockets = await Promise.all(Array.from({ length: uploads }, stalledUpload))
await sleep(Number(holdText) * 1000)
const peak = rssMiB()
console.log(`with ${uploads} x ${megabytesText} MB uploads stalled at 90 %: RSS ${peak} MiB; answers ${JSON.stringify(Object.fromEntries(statuses))}`)
for (const socket of sockets) socket.destroy()
const samples: Array<number> = []
for (let s = 1; s <= Number(settleText); s++) {
  await sleep(1000)
  samples.push(rssMiB())
}
console.log(`after closing, RSS each second (MiB): ${samples.join(" ")}`)
const health = await fetch(`${origin}/api/v1/iad/health`)
console.log(`health ${health.status}; RSS ${idle} -> ${peak} -> ${samples.at(-1)} MiB`)
