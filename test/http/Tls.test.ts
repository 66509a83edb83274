/**
 * HTTPS on the service port with certificates made at test time (openssl): TLS 1.2 at least,
 * reload on SIGHUP without dropping open connections, a bad file at reload keeps the old
 * certificate and logs why, a missing file fails start-up naming it, client certificates when a
 * CA is configured.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { execFileSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as tls from "node:tls"
import { connectRaw, parseAnswer, sleep } from "../support/RawHttp.js"
import { makeTempDir, postConfig, startServer } from "../support/TestServer.js"

interface Pem {
  readonly cert: string
  readonly key: string
  readonly certFile: string
  readonly keyFile: string
}

/** A self-signed certificate for 127.0.0.1 (or, given an issuer, one signed by it). */
const makeCertificate = (dir: string, name: string, issuer?: Pem): Pem => {
  const keyFile = path.join(dir, `${name}.key`)
  const certFile = path.join(dir, `${name}.crt`)
  const subject = ["-subj", `/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1"]
  if (issuer === undefined) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", keyFile, "-out", certFile, "-days", "1", ...subject], { stdio: "ignore" })
  } else {
    const csr = path.join(dir, `${name}.csr`)
    execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", keyFile, "-out", csr, "-subj", `/CN=${name}`], { stdio: "ignore" })
    execFileSync("openssl", ["x509", "-req", "-in", csr, "-CA", issuer.certFile, "-CAkey", issuer.keyFile,
      "-CAcreateserial", "-out", certFile, "-days", "1"], { stdio: "ignore" })
  }
  return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8"), certFile, keyFile }
}

const HEALTH = "GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\n\r\n"

/** One request on an open TLS connection; resolves with the status line's code (0: closed unanswered). */
const askOn = (socket: tls.TLSSocket): Promise<number> =>
  new Promise((resolve) => {
    let text = ""
    socket.once("close", () => resolve(0))
    const onData = (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes("\r\n\r\n")) {
        socket.off("data", onData)
        resolve(parseAnswer(text, 0).status)
      }
    }
    socket.on("data", onData)
    socket.write(HEALTH)
  })

const fingerprintSeen = (url: string, ca: string): Promise<string> =>
  connectRaw(url, { ca: [ca], servername: undefined }).then((connection) => {
    const seen = (connection.socket as tls.TLSSocket).getPeerCertificate().fingerprint256
    connection.socket.destroy()
    return seen
  })

const fingerprintOf = (pem: string) => new crypto.X509Certificate(pem).fingerprint256

/** The service's log file, as `log.log_path` writes it. */
const logOf = (dir: string) => fs.readFileSync(path.join(dir, "service.log"), "utf8")

const tlsServer = (dir: string, pem: Pem, extra: Record<string, unknown> = {}) =>
  startServer({
    dir,
    config: {
      tls: { cert_file: pem.certFile, key_file: pem.keyFile, ...extra },
      log: { log_path: path.join(dir, "service.log"), log_level: "INFO", log_size_limit: 1048576 }
    }
  }).pipe(Effect.map((server) => ({ ...server, url: server.url.replace("http://", "https://") })))

describe("tls", () => {
  it.scoped("serves HTTPS on the service port and refuses TLS 1.1 and plain HTTP", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const first = makeCertificate(dir, "first")
      const { url } = yield* tlsServer(dir, first)
      const connection = yield* Effect.promise(() => connectRaw(url, { ca: [first.cert] }))
      expect((connection.socket as tls.TLSSocket).getProtocol()).toMatch(/^TLSv1\.[23]$/)
      expect(yield* Effect.promise(() => askOn(connection.socket as tls.TLSSocket))).toBe(200)
      connection.socket.destroy()
      const old = yield* Effect.promise(() =>
        // A client willing to go as low as the library allows: the server must say no.
        connectRaw(url, { ca: [first.cert], minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" }).then(
          () => "connected",
          (error: Error) => error.message
        ))
      expect(old).toMatch(/protocol version/)
      const plain = yield* Effect.promise(async () => {
        const raw = await connectRaw(url.replace("https://", "http://"))
        raw.socket.write(HEALTH)
        return raw.answer(5_000)
      })
      expect(plain.status).not.toBe(200)
    }))

  it.scoped("SIGHUP loads a new certificate for new connections; open ones keep working", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const first = makeCertificate(dir, "first")
      const second = makeCertificate(makeTempDir(), "second")
      const { url } = yield* tlsServer(dir, first)
      expect(yield* Effect.promise(() => fingerprintSeen(url, first.cert))).toBe(fingerprintOf(first.cert))
      const open = yield* Effect.promise(() => connectRaw(url, { ca: [first.cert] }))
      const socket = open.socket as tls.TLSSocket
      expect(yield* Effect.promise(() => askOn(socket))).toBe(200)

      fs.writeFileSync(first.certFile, second.cert)
      fs.writeFileSync(first.keyFile, second.key)
      process.kill(process.pid, "SIGHUP")
      yield* Effect.promise(() => sleep(300))

      expect(yield* Effect.promise(() => fingerprintSeen(url, second.cert))).toBe(fingerprintOf(second.cert))
      expect(yield* Effect.promise(() => askOn(socket))).toBe(200)
      expect(socket.destroyed).toBe(false)
      expect(logOf(dir)).toContain("tls: certificates reloaded")
      socket.destroy()
    }))

  it.scoped("a bad certificate at reload keeps the previous one and logs why", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const first = makeCertificate(dir, "first")
      const { url } = yield* tlsServer(dir, first)
      fs.writeFileSync(first.certFile, "not a certificate\n")
      process.kill(process.pid, "SIGHUP")
      yield* Effect.promise(() => sleep(300))
      expect(yield* Effect.promise(() => fingerprintSeen(url, first.cert))).toBe(fingerprintOf(first.cert))
      const log = logOf(dir)
      expect(log).toContain("tls: reload failed, keeping the previous certificates")
      expect(log).toContain(first.certFile)
      expect(log).not.toContain("PRIVATE KEY")
    }))

  it.scoped("a missing certificate file fails start-up naming it", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const first = makeCertificate(dir, "first")
      const missing = path.join(dir, "absent.crt")
      const exit = yield* Effect.exit(startServer({ dir, config: { tls: { cert_file: missing, key_file: first.keyFile } } }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain(`tls.cert_file "${missing}" cannot be read (ENOENT)`)
      const mismatched = makeCertificate(dir, "other")
      const wrongKey = yield* Effect.exit(
        startServer({ dir, config: { tls: { cert_file: first.certFile, key_file: mismatched.keyFile } } })
      )
      expect(String(Exit.isFailure(wrongKey) ? wrongKey.cause : "")).toMatch(/not a usable certificate and key/)
    }))

  it.scoped("POST /config refuses tls files that do not exist; good ones wait for a restart", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const pem = makeCertificate(dir, "first")
      const { url } = yield* startServer({ dir })
      const missing = yield* postConfig(url, { tls: { cert_file: path.join(dir, "absent.crt"), key_file: pem.keyFile } })
      expect(missing.status).toBe(400)
      expect(missing.body.message).toContain("tls.cert_file")
      const good = yield* postConfig(url, { tls: { cert_file: pem.certFile, key_file: pem.keyFile } })
      expect(good.status).toBe(200)
      expect(good.body.restartRequired).toEqual(["tls"])
      const removed = yield* postConfig(url, { tls: null })
      expect(removed.status).toBe(200)
      expect(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"))).not.toHaveProperty("tls")
    }))

  it.scoped("with ca_file, only clients with a certificate it signed get through", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const authority = makeCertificate(dir, "clients-ca")
      const client = makeCertificate(dir, "client", authority)
      const stranger = makeCertificate(dir, "stranger")
      const server = makeCertificate(dir, "server")
      const { url } = yield* tlsServer(dir, server, { ca_file: authority.certFile })
      const status = (options: tls.ConnectionOptions) =>
        Effect.promise(() =>
          connectRaw(url, { ca: [server.cert], ...options }).then(
            (connection) => askOn(connection.socket as tls.TLSSocket).then((code) => (connection.socket.destroy(), code)),
            () => 0
          )
        )
      expect(yield* status({ cert: client.cert, key: client.key })).toBe(200)
      expect(yield* status({ cert: stranger.cert, key: stranger.key })).toBe(0)
      expect(yield* status({})).toBe(0)
    }))
})
