/**
 * The load bench's own HTTP client (bench/service/KeepAliveClient.ts) against a real Node server on
 * loopback: each answer's status comes back whether its body has a length or comes in chunks, one
 * answer at a time on a kept-alive connection, and a broken exchange fails the send instead of
 * hanging the bench.
 */
import { describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { connect, encodeRequest, parseHead } from "../../bench/service/KeepAliveClient.js"

const withServer = async (handler: http.RequestListener, use: (url: URL) => Promise<void>) => {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  try {
    await use(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload?x=1`))
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/**
 * Answers `x-status` (200 by default) when the request reached it whole (its path, and as many
 * body bytes as `x-expect` says), else 400; chunked (no Content-Length) when `x-chunked` asks.
 */
const echoLength: http.RequestListener = (request, response) => {
  let received = 0
  request.on("data", (chunk: Buffer) => (received += chunk.byteLength))
  request.on("end", () => {
    const whole = request.url === "/upload?x=1" && received === Number(request.headers["x-expect"])
    const status = !whole ? 400 : request.headers["x-status"] === undefined ? 200 : Number(request.headers["x-status"])
    const text = JSON.stringify({ received, url: request.url })
    if (request.headers["x-chunked"] !== undefined) {
      response.writeHead(status, { "content-type": "application/json" })
      response.write(text.slice(0, 5))
      setTimeout(() => response.end(text.slice(5)), 5)
    } else {
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
      response.end(text)
    }
  })
}

describe("the bench's keep-alive client", () => {
  it("sends the body whole and reads the status of fixed-length and chunked answers, one after another", async () => {
    await withServer(echoLength, async (url) => {
      const connection = await connect(url)
      try {
        const body = new Uint8Array(300_000).fill(7)
        expect(await connection.send(encodeRequest(url, "POST", { "x-expect": "300000" }, body))).toBe(200)
        expect(await connection.send(encodeRequest(url, "POST", { "x-expect": "10", "x-status": "422" }, body.subarray(0, 10)))).toBe(422)
        expect(await connection.send(encodeRequest(url, "POST", { "x-expect": "300000", "x-chunked": "1", "x-status": "503" }, body))).toBe(503)
        expect(await connection.send(encodeRequest(url, "POST", { "x-expect": "1" }, new Uint8Array(0)))).toBe(400)
      } finally {
        connection.close()
      }
    })
  })

  it("fails a send when the server closes the connection instead of answering", async () => {
    await withServer((request) => request.socket.destroy(), async (url) => {
      const connection = await connect(url)
      await expect(connection.send(encodeRequest(url, "POST", {}, new Uint8Array(5)))).rejects.toThrow(/closed/)
      connection.close()
    })
  })

  it("reads a head only once it is whole, and refuses what is not HTTP/1.1 or has no length", () => {
    expect(parseHead(Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n"))).toBeUndefined()
    expect(parseHead(Buffer.from("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"))).toEqual({ status: 201, bodyStart: 43, length: 2 })
    expect(parseHead(Buffer.from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"))).toMatchObject({ status: 200, length: undefined })
    expect(parseHead(Buffer.from("SSH-2.0-OpenSSH\r\n\r\n"))).toBeInstanceOf(Error)
    expect(parseHead(Buffer.from("HTTP/1.1 200 OK\r\nx: y\r\n\r\n"))).toBeInstanceOf(Error)
  })
})
