/**
 * A real Debian `redis-server` for tests, on a free loopback port, with no persistence. Scoped:
 * killed on release. `stop`/`start` simulate an outage and the return (same port, empty data);
 * `pause`/`resume` (SIGSTOP/SIGCONT) a hung Redis that accepts connections but never answers.
 * A missing redis-server fails the test (`.ci/run` installs it), it is never skipped.
 */
import { Effect, type Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import * as tls from "node:tls"

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:port/0`, or `rediss://localhost:port/0` with TLS */
  readonly url: string
  readonly stop: Effect.Effect<void>
  readonly start: Effect.Effect<void, Error>
  readonly pause: Effect.Effect<void>
  readonly resume: Effect.Effect<void>
}

export interface RedisServerOptions {
  /** Listen on this port (e.g. one a client already tries); a free one otherwise. */
  readonly port?: number
  /** Extra redis-server arguments, e.g. ["--requirepass", "secret"]. */
  readonly args?: ReadonlyArray<string>
  /** Serve TLS only (no plain-text port) with this certificate and key; clients need no certificate. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string }
}

const STARTUP_LIMIT_MILLIS = 5_000

/** A port nothing listens on right now (the kernel's pick for port 0). */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** True when something on the port answers a Redis PING (PONG, or NOAUTH from a password-protected one). */
const answersPing = (port: number, overTls: boolean): Promise<boolean> =>
  new Promise((resolve) => {
    // Only "is it up?": the certificate is the client's concern, not this probe's.
    const socket = overTls
      ? tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false })
      : net.connect({ host: "127.0.0.1", port })
    let reply = ""
    const finish = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(500, () => finish(false))
    socket.on("error", () => finish(false))
    socket.on(overTls ? "secureConnect" : "connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1")
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG") || reply.startsWith("-NOAUTH"))
    })
  })

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()))

const serverArgs = (port: number, options: RedisServerOptions): Array<string> => [
  ...(options.tls === undefined
    ? ["--port", String(port)]
    : ["--port", "0", "--tls-port", String(port), "--tls-cert-file", options.tls.certFile, "--tls-key-file", options.tls.keyFile,
      "--tls-auth-clients", "no"]),
  "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
  ...(options.args ?? [])
]

const launch = (port: number, options: RedisServerOptions): Effect.Effect<ChildProcess, Error> =>
  Effect.tryPromise({
    try: async () => {
      const child = spawn("redis-server", serverArgs(port, options), { stdio: ["ignore", "pipe", "pipe"] })
      // A test process that exits before its finalizers ran (e.g. a timed-out test) leaves no server behind.
      const killOnExit = () => child.kill("SIGKILL")
      process.once("exit", killOnExit)
      child.once("exit", () => process.off("exit", killOnExit))
      let output = ""
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
      const spawnError = new Promise<Error>((resolve) => child.once("error", resolve))
      const deadline = Date.now() + STARTUP_LIMIT_MILLIS
      while (Date.now() < deadline) {
        const pause = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30))
        const failure = await Promise.race([spawnError, pause])
        if (failure !== undefined) {
          throw new Error(`redis-server did not start (${failure.message}); .ci/run installs it: apt-get install redis-server`)
        }
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}:\n${output}`)
        if (await answersPing(port, options.tls !== undefined)) return child
      }
      child.kill("SIGKILL")
      throw new Error(`redis-server did not answer PING on port ${port} within ${STARTUP_LIMIT_MILLIS} ms:\n${output}`)
    },
    catch: (error) => (error instanceof Error ? error : new Error(String(error)))
  })

const terminate = (child: ChildProcess): Effect.Effect<void> =>
  Effect.promise(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGCONT") // a paused server would not act on SIGTERM
    child.kill("SIGTERM")
    const gracePeriod = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000))
    const killed = await Promise.race([exited(child).then(() => true), gracePeriod])
    if (!killed) {
      child.kill("SIGKILL")
      await exited(child)
    }
  })

export const startRedisServer = (options: RedisServerOptions = {}): Effect.Effect<RedisServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const launchOnFreePort = Effect.flatMap(freePort, (port) => Effect.map(launch(port, options), (child) => ({ child, port })))
    const firstRun = options.port === undefined
      ? yield* Effect.retry(launchOnFreePort, { times: 2 }) // someone may take the free port before redis-server binds it
      : { child: yield* launch(options.port, options), port: options.port }
    const { port } = firstRun
    let child = firstRun.child
    yield* Effect.addFinalizer(() => Effect.suspend(() => terminate(child)))
    return {
      port,
      url: options.tls === undefined ? `redis://127.0.0.1:${port}/0` : `rediss://localhost:${port}/0`,
      stop: Effect.suspend(() => terminate(child)),
      start: Effect.suspend(() => launch(port, options)).pipe(Effect.map((next) => void (child = next))),
      pause: Effect.sync(() => void child.kill("SIGSTOP")),
      resume: Effect.sync(() => void child.kill("SIGCONT"))
    }
  })
