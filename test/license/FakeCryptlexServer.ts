/**
 * A fake Cryptlex Web API v3 for tests: a real HTTP server on 127.0.0.1 (port 0) that activates,
 * syncs and deactivates one license, signing RS256 activation tokens with an RSA key generated
 * for the test run. Tests steer it through plain fields:
 *
 *   const server = yield* fakeCryptlex({ key: "K", productId: "P" })   // scoped; or startFakeCryptlex()
 *   server.url              // "http://127.0.0.1:PORT", the `license.host` to configure
 *   server.publicKeyPem     // the product public key, write it to `license.public_key_file`
 *   server.license.eat = …  // expiry, sync interval, grace, suspended, revoked, activation limit
 *   server.now = () => …    // the server's Unix seconds (tie it to a TestClock)
 *   server.answerNext({ kind: "error", status: 500 }, …)   // one forced answer per request
 *   server.answerAlways({ kind: "hang" })                  // every request, until undefined
 *   server.requests         // what it received: method, path, body
 *   server.signToken(claims, { otherKey: true })           // any token, optionally foreign-signed
 *   yield* server.close     // or await server.closeAsync()
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Effect, type Scope } from "effect"

export interface FakeLicense {
  key: string
  productId: string
  /** Absolute expiry, Unix s; 0 = never. */
  eat: number
  /** Server sync interval, s; 0 = no sync required. */
  ssi: number
  /** Grace period after each sync, s: `ssgpeat = now + grace`; 0 = none. */
  gracePeriod: number
  /** Lease duration, s: `leat = now + lease`; 0 = none. */
  lease: number
  aco: number
  suspended: boolean
  /** Activation and sync answer 400 REVOKED_LICENSE. */
  revoked: boolean
  activationLimit: number
}

export type ForcedAnswer =
  | { readonly kind: "error"; readonly status: number; readonly code?: string }
  | { readonly kind: "rateLimit"; readonly retryAfter?: string }
  /** Accepts the request and never answers (the client must time out). */
  | { readonly kind: "hang" }
  /** A well-formed token signed by a key that is not the product key. */
  | { readonly kind: "foreignToken" }

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly body: unknown
}

export interface FakeCryptlexServer {
  readonly url: string
  readonly publicKeyPem: string
  readonly license: FakeLicense
  now: () => number
  readonly requests: Array<RecordedRequest>
  /** Activation id -> fingerprint. */
  readonly activations: Map<string, string>
  answerNext: (...answers: ReadonlyArray<ForcedAnswer>) => void
  answerAlways: (answer: ForcedAnswer | undefined) => void
  signToken: (claims: Record<string, unknown>, options?: { readonly otherKey?: boolean }) => string
  readonly closeAsync: () => Promise<void>
  readonly close: Effect.Effect<void>
}

interface KeyPair {
  readonly publicKey: KeyObject
  readonly privateKey: KeyObject
}
/** 2048-bit keys take ~100 ms each on a busy machine: generated once per test process, lazily. */
let keyPairs: { readonly product: KeyPair; readonly foreign: KeyPair } | undefined
const testKeyPairs = () => {
  keyPairs ??= {
    product: generateKeyPairSync("rsa", { modulusLength: 2048 }),
    foreign: generateKeyPairSync("rsa", { modulusLength: 2048 })
  }
  return keyPairs
}

const jwt = (claims: Record<string, unknown>, privateKey: KeyObject): string => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  const signingInput = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), privateKey).toString("base64url")}`
}

const readBody = (request: IncomingMessage): Promise<unknown> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      try {
        resolve(text === "" ? undefined : JSON.parse(text))
      } catch {
        resolve(text)
      }
    })
  })

const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(body === undefined ? undefined : JSON.stringify(body))
}

export const startFakeCryptlex = async (
  options: Partial<FakeLicense> & { readonly key: string; readonly productId: string }
): Promise<FakeCryptlexServer> => {
  const { product, foreign } = testKeyPairs()
  const license: FakeLicense = {
    eat: 0,
    ssi: 3600,
    gracePeriod: 7 * 24 * 3600,
    lease: 0,
    aco: 3800,
    suspended: false,
    revoked: false,
    activationLimit: 1,
    ...options
  }
  const queue: Array<ForcedAnswer> = []
  let always: ForcedAnswer | undefined
  let nextId = 1
  const sockets = new Set<Socket>()
  const requests: Array<RecordedRequest> = []
  const activations = new Map<string, string>()

  const fake = {
    license,
    now: () => Math.floor(Date.now() / 1000),
    requests,
    activations
  }

  const tokenFor = (aid: string, fingerprint: string, privateKey: KeyObject = product.privateKey) => {
    const now = fake.now()
    return jwt({
      aid,
      pid: license.productId,
      lid: "license-1",
      key: license.key,
      fp: fingerprint,
      iat: now,
      eat: license.eat,
      leat: license.lease === 0 ? 0 : now + license.lease,
      ssgpeat: license.gracePeriod === 0 ? 0 : now + license.gracePeriod,
      ssi: license.ssi,
      aco: license.aco,
      suspended: license.suspended,
      pmd: [],
      lmd: [],
      amd: []
    }, privateKey)
  }

  const refuse = (response: ServerResponse, code: string) => sendJson(response, 400, { code, message: code.toLowerCase() })

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request)
    const path = (request.url ?? "").split("?")[0] ?? ""
    const method = request.method ?? ""
    requests.push({ method, path, body })
    const forced = queue.shift() ?? always
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
    const fingerprint = String(fields["fingerprint"] ?? "")
    if (forced?.kind === "hang") return
    if (forced?.kind === "error") {
      return sendJson(response, forced.status, forced.code === undefined ? { message: "error" } : { code: forced.code, message: "forced" })
    }
    if (forced?.kind === "rateLimit") {
      return sendJson(response, 429, { code: "TOO_MANY_REQUESTS", message: "slow down" }, forced.retryAfter === undefined ? {} : { "retry-after": forced.retryAfter })
    }
    const match = /^\/v3\/activations(?:\/([^/]+))?$/.exec(path)
    if (match === null) return sendJson(response, 404, { code: "NOT_FOUND", message: "no route" })
    const id = match[1] === undefined ? undefined : decodeURIComponent(match[1])
    const signer = forced?.kind === "foreignToken" ? foreign.privateKey : product.privateKey

    if (method === "POST" && id === undefined) {
      if (fields["productId"] !== license.productId) return refuse(response, "INVALID_PRODUCT_ID")
      if (fields["key"] !== license.key) return refuse(response, "INVALID_LICENSE_KEY")
      if (license.revoked) return refuse(response, "REVOKED_LICENSE")
      const existing = [...activations].find(([, fp]) => fp === fingerprint)?.[0]
      if (existing === undefined && activations.size >= license.activationLimit) return refuse(response, "ACTIVATION_LIMIT_REACHED")
      const aid = existing ?? `activation-${nextId++}`
      activations.set(aid, fingerprint)
      return sendJson(response, 201, { activationToken: tokenFor(aid, fingerprint, signer) })
    }
    if (id === undefined || !activations.has(id)) return sendJson(response, 404, { code: "ACTIVATION_NOT_FOUND", message: "gone" })
    if (method === "PATCH") {
      if (license.revoked) return refuse(response, "REVOKED_LICENSE")
      return sendJson(response, 200, { activationToken: tokenFor(id, activations.get(id) ?? "", signer) })
    }
    if (method === "DELETE") {
      activations.delete(id)
      response.writeHead(204).end()
      return
    }
    return sendJson(response, 405, { code: "METHOD_NOT_ALLOWED", message: method })
  }

  const server = createServer((request, response) => void handle(request, response))
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  const closeAsync = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })

  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    publicKeyPem: product.publicKey.export({ type: "spki", format: "pem" }).toString(),
    answerNext: (...answers: ReadonlyArray<ForcedAnswer>) => void queue.push(...answers),
    answerAlways: (answer: ForcedAnswer | undefined) => {
      always = answer
    },
    signToken: (claims: Record<string, unknown>, signOptions?: { readonly otherKey?: boolean }) =>
      jwt(claims, signOptions?.otherKey === true ? foreign.privateKey : product.privateKey),
    closeAsync,
    close: Effect.promise(closeAsync)
  })
}

/** The fake server for the length of a Scope. */
export const fakeCryptlex = (
  options: Partial<FakeLicense> & { readonly key: string; readonly productId: string }
): Effect.Effect<FakeCryptlexServer, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.promise(() => startFakeCryptlex(options)), (server) => server.close)
