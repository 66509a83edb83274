/**
 * `max_connections` and `max_connections_per_ip` on a Node server.
 *
 * At the total limit a new connection first evicts the oldest idle one (connected, no request in
 * progress: a keep-alive connection between requests, or one that has sent nothing yet), as nginx
 * reuses keep-alive connections when it runs out; only when every connection is busy is the new
 * one closed. So a flood of idle sockets cannot lock out a health check. The total is also kept
 * below the process's file-descriptor limit, which the service needs for its own files.
 */
import * as fs from "node:fs"
import type * as http from "node:http"
import type { Socket } from "node:net"

/** Descriptors kept for the service itself (models, logs, keys, Redis, worker pipes): ~50 open at idle with the native engine, measured. */
export const RESERVED_DESCRIPTORS = 128

/** The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start), from /proc. */
export const openFileLimit = (): number | undefined => {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"))
    return line === null || line[1] === "unlimited" ? undefined : Number(line[1])
  } catch {
    return undefined
  }
}

/** The total in effect: the configured one (0 = none), never above the descriptor limit less the reserve. */
export const effectiveMaxConnections = (configured: number, fileLimit: number | undefined): number => {
  const ceiling = fileLimit === undefined ? Infinity : Math.max(1, fileLimit - RESERVED_DESCRIPTORS)
  const wanted = configured === 0 ? Infinity : configured
  const effective = Math.min(wanted, ceiling)
  return Number.isFinite(effective) ? effective : 0
}

interface Connection {
  readonly address: string
  requestsInProgress: number
}

export class ConnectionLimits {
  /** Insertion-ordered: the first idle entry is the oldest idle connection. */
  private readonly connections = new Map<Socket, Connection>()
  private readonly byAddress = new Map<string, number>()

  constructor(private readonly maxTotal: number, private readonly maxPerAddress: number) {}

  get open(): number {
    return this.connections.size
  }

  /** A new connection: admitted, or destroyed when over a limit. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? ""
    const fromAddress = this.byAddress.get(address) ?? 0
    if (this.maxPerAddress > 0 && fromAddress >= this.maxPerAddress) return void socket.destroy()
    if (this.maxTotal > 0 && this.connections.size >= this.maxTotal && !this.evictOldestIdle()) {
      return void socket.destroy()
    }
    this.connections.set(socket, { address, requestsInProgress: 0 })
    this.byAddress.set(address, fromAddress + 1)
    socket.once("close", () => this.forget(socket))
  }

  /** A request on a connection: it is busy until the answer is done. */
  track(request: http.IncomingMessage, response: http.ServerResponse): void {
    const connection = this.connections.get(request.socket as Socket)
    if (connection === undefined) return
    connection.requestsInProgress++
    let done = false
    const finish = () => {
      if (done) return
      done = true
      connection.requestsInProgress--
    }
    response.once("finish", finish)
    response.once("close", finish)
  }

  private evictOldestIdle(): boolean {
    for (const [socket, connection] of this.connections) {
      if (connection.requestsInProgress === 0) {
        this.forget(socket)
        socket.destroy()
        return true
      }
    }
    return false
  }

  private forget(socket: Socket): void {
    const connection = this.connections.get(socket)
    if (connection === undefined) return
    this.connections.delete(socket)
    const left = (this.byAddress.get(connection.address) ?? 1) - 1
    if (left <= 0) this.byAddress.delete(connection.address)
    else this.byAddress.set(connection.address, left)
  }
}
