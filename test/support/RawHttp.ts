/**
 * HTTP over a raw socket, for what fetch cannot send: malformed requests, partial headers,
 * bodies trickled a byte at a time, uploads left unfinished.
 */
import * as net from "node:net"
import * as tls from "node:tls"

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** Milliseconds from the first byte written to the connection's close. */
  readonly elapsedMs: number
}

/** Parses a whole HTTP/1.1 answer (Content-Length bodies; enough for `{message}` answers). */
export const parseAnswer = (text: string, elapsedMs: number): RawAnswer => {
  const split = text.indexOf("\r\n\r\n")
  const head = split < 0 ? text : text.slice(0, split)
  const [statusLine = "", ...lines] = head.split("\r\n")
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(" ")[1] ?? 0), headers, body: split < 0 ? "" : text.slice(split + 4), elapsedMs }
}

export interface RawConnection {
  readonly socket: net.Socket
  /** Everything the server sent, once it closes the connection (or `timeoutMs` passes: then status 0). */
  readonly answer: (timeoutMs?: number) => Promise<RawAnswer>
  /** Resolves with the data received so far as soon as the first bytes arrive. */
  readonly firstBytes: (timeoutMs?: number) => Promise<string>
}

export const connectRaw = (url: string, secure?: tls.ConnectionOptions): Promise<RawConnection> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket: net.Socket = secure === undefined
      ? net.connect(Number(port), hostname)
      : tls.connect({ port: Number(port), host: hostname, ...secure })
    let received = ""
    let closed = false
    const started = Date.now()
    const waiters: Array<() => void> = []
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1")
      waiters.splice(0).forEach((wake) => wake())
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      closed = true
      waiters.splice(0).forEach((wake) => wake())
    })
    const until = (done: () => boolean, timeoutMs: number) =>
      new Promise<void>((wake) => {
        const timer = setTimeout(wake, timeoutMs)
        const check = () => (done() ? (clearTimeout(timer), wake()) : waiters.push(check))
        check()
      })
    socket.once(secure === undefined ? "connect" : "secureConnect", () =>
      resolve({
        socket,
        answer: async (timeoutMs = 10_000) => {
          await until(() => closed, timeoutMs)
          return closed ? parseAnswer(received, Date.now() - started) : { ...parseAnswer(received, 0), status: 0 }
        },
        firstBytes: async (timeoutMs = 10_000) => {
          await until(() => received !== "" || closed, timeoutMs)
          return received
        }
      }))
    socket.once("error", reject)
  })

/** Sends `text` (a whole or partial request) and waits for the server to answer and close. */
export const sendRaw = async (url: string, text: string, timeoutMs?: number): Promise<RawAnswer> => {
  const connection = await connectRaw(url)
  connection.socket.write(text)
  const answer = await connection.answer(timeoutMs)
  connection.socket.destroy()
  return answer
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
