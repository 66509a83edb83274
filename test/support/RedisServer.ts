/**
 * A real Debian `redis-server` for tests, on a free loopback port, with no persistence. Scoped:
 * killed on release. `stop`/`start` simulate an outage and the return (same port, empty data);
 * `pause`/`resume` (SIGSTOP/SIGCONT) a hung Redis that accepts connections but never answers.
 * A missing redis-server fails the test (`.ci/run` installs it), it is never skipped.
 */
import { Effect, type Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:port/0` */
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
const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    let reply = ""
    const finish = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(500, () => finish(false))
    socket.on("error", () => finish(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1")
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG") || reply.startsWith("-NOAUTH"))
    })
  })

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()))

const launch = (port: number, args: ReadonlyArray<string>): Effect.Effect<ChildProcess, Error> =>
  Effect.tryPromise({
    try: async () => {
      const child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args],
        { stdio: ["ignore", "pipe", "pipe"] }
      )
      let output = ""
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
      const spawnError = new Promise<Error>((resolve) => child.once("error", resolve))
      const deadline = Date.now() + STARTUP_LIMIT_MILLIS
      while (Date.now() < deadline) {
        const failure = await Promise.race([spawnError, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30))])
        if (failure !== undefined) throw new Error(`redis-server did not start (${failure.message}); .ci/run installs it: apt-get install redis-server`)
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}:\n${output}`)
        if (await answersPing(port)) return child
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
    const killed = await Promise.race([exited(child).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))])
    if (!killed) {
      child.kill("SIGKILL")
      await exited(child)
    }
  })

export const startRedisServer = (options: RedisServerOptions = {}): Effect.Effect<RedisServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const args = options.args ?? []
    // A free port can be taken by someone else before redis-server binds it: try a few.
    const firstRun = options.port !== undefined
      ? yield* launch(options.port, args).pipe(Effect.map((child) => ({ child, port: options.port as number })))
      : yield* Effect.flatMap(freePort, (port) => Effect.map(launch(port, args), (child) => ({ child, port }))).pipe(
        Effect.retry({ times: 2 })
      )
    const { port } = firstRun
    let child = firstRun.child
    yield* Effect.addFinalizer(() => Effect.suspend(() => terminate(child)))
    return {
      port,
      url: `redis://127.0.0.1:${port}/0`,
      stop: Effect.suspend(() => terminate(child)),
      start: Effect.suspend(() => launch(port, args)).pipe(Effect.map((next) => void (child = next))),
      pause: Effect.sync(() => void child.kill("SIGSTOP")),
      resume: Effect.sync(() => void child.kill("SIGCONT"))
    }
  })
