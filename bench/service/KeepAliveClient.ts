/**
 * The load bench's HTTP/1.1 client: one kept-alive socket, the whole request (head and body)
 * encoded once and written as one buffer per send, and the answer read only as far as its status
 * and its end (Content-Length, or chunked). It shares the machine with the service it measures, so
 * it must cost as little as it can: Node's http client took ~0.95 ms of CPU a request (0.08-0.09
 * of this 2-core machine's cores at concurrency 8, all of it taken from the service's ceiling
 * ratio); this one ~0.45 ms, most of it the kernel's copy of the upload (docs/performance.md,
 * round 9). Hand-written because the load tools on npm (autocannon) bring their own loop and
 * reporting, and the bench needs each request's latency and status inside its own runs; the
 * tests' raw client (test/support/RawHttp.ts) reads one answer per connection, until it closes.
 */
import * as net from "node:net"

/** The bytes of one request: its head and its body, to be written as they are. */
export const encodeRequest = (
  url: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array
): Uint8Array => {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `content-length: ${body.byteLength}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1")
  return Buffer.concat([head, body])
}

/** What is known of an answer once its head is in. */
interface Head {
  readonly status: number
  /** Offset of the body in the buffered bytes. */
  readonly bodyStart: number
  /** Content-Length; undefined when the body is chunked. */
  readonly length: number | undefined
}

const HEAD_END = Buffer.from("\r\n\r\n")
const LAST_CHUNK = Buffer.from("\r\n0\r\n\r\n")

/** The answer's head, once `buffered` holds all of it; an Error for one this client cannot read. */
export const parseHead = (buffered: Buffer): Head | undefined | Error => {
  const end = buffered.indexOf(HEAD_END)
  if (end < 0) return undefined
  const lines = buffered.toString("latin1", 0, end).split("\r\n")
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")
  if (status === null) return new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0])}`)
  let length: number | undefined
  let chunked = false
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":")
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === "content-length") length = Number(value)
    if (name === "transfer-encoding") chunked = value.toLowerCase() === "chunked"
  }
  if (!chunked && (length === undefined || !Number.isSafeInteger(length))) return new Error("answer has neither a length nor chunks")
  return { status: Number(status[1]), bodyStart: end + HEAD_END.byteLength, length: chunked ? undefined : length }
}

/** Whether `buffered` holds the whole answer that `head` started. */
const complete = (buffered: Buffer, head: Head): boolean =>
  head.length === undefined
    // The last chunk of a chunked body (no trailers): the body's first chunk may itself be the last.
    ? buffered.indexOf(LAST_CHUNK, head.bodyStart - 2) >= 0
    : buffered.byteLength >= head.bodyStart + head.length

/** A connection that sends one request at a time and resolves with each answer's status. */
export interface KeepAliveConnection {
  readonly send: (request: Uint8Array) => Promise<number>
  readonly close: () => void
}

export const connect = (url: URL): Promise<KeepAliveConnection> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true })
    let chunks: Array<Buffer> = []
    let waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined
    const fail = (error: Error) => {
      const pending = waiting
      waiting = undefined
      pending?.reject(error)
    }
    // The answer's head, parsed once it is whole, until the answer is.
    let head: Head | undefined
    socket.on("data", (chunk: Buffer) => {
      if (waiting === undefined) return fail(new Error("bytes arrived with no request outstanding"))
      chunks.push(chunk)
      const buffered = chunks.length === 1 ? chunk : Buffer.concat(chunks)
      chunks = [buffered]
      if (head === undefined) {
        const parsed = parseHead(buffered)
        if (parsed instanceof Error) return fail(parsed)
        head = parsed
      }
      if (head === undefined || !complete(buffered, head)) return
      const { status } = head
      chunks = []
      head = undefined
      const pending = waiting
      waiting = undefined
      pending.resolve(status)
    })
    socket.on("error", (error) => (waiting === undefined ? reject(error) : fail(error)))
    socket.on("close", () => fail(new Error("connection closed by the service")))
    socket.once("connect", () =>
      resolve({
        send: (request) =>
          new Promise((resolveAnswer, rejectAnswer) => {
            if (waiting !== undefined) return rejectAnswer(new Error("one request at a time on a connection"))
            waiting = { resolve: resolveAnswer, reject: rejectAnswer }
            socket.write(request)
          }),
        close: () => socket.destroy()
      })
    )
  })
