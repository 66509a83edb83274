/**
 * The OpenAPI document is true (issue 15): for every path, method and status it declares, a
 * request over real HTTP produces that status, and the body (and headers such as Retry-After)
 * validate against what the document says. Then hostile and malformed requests: every status
 * they get is one the document declares for that operation.
 */
import { describe, expect, it } from "@effect/vitest"
import { Ajv } from "ajv"
import { Effect, Fiber } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { staticLicenseLayer } from "../../src/infra/StaticLicenseGate.js"
import { captureForm, startServer, TEST_ADMIN_TOKEN, type TestServer } from "../support/TestServer.js"

type Json = { readonly [key: string]: unknown }

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** Raw answer: the body is validated as sent, not as a helper parsed it. */
const send = (url: string, init?: RequestInit): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const admin = (token = TEST_ADMIN_TOKEN) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" })
const live = () => encodeFakeCapture({ outcome: "Live" })
const post = (url: string, body: NonNullable<RequestInit["body"]>, headers: Record<string, string> = {}) => send(url, { method: "POST", body, headers })
const postCapture = (url: string, bytes: Uint8Array) => post(url, captureForm(bytes))

/** A body sent chunked (no Content-Length), so only the streaming reader can stop it. */
const chunked = (bytes: number): RequestInit => ({
  method: "POST",
  headers: { "content-type": "multipart/form-data; boundary=x" },
  body: new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("--x\r\ncontent-disposition: form-data; name=\"capture\"; filename=\"c\"\r\n\r\n"))
      controller.enqueue(new Uint8Array(bytes))
      controller.close()
    }
  }),
  duplex: "half"
} as RequestInit)

interface Servers {
  readonly main: TestServer
  /** client_max_body_size 1k. */
  readonly small: TestServer
  /** The license does not serve captures. */
  readonly unlicensed: TestServer
  /** One engine, a short queue timeout. */
  readonly single: TestServer
  /** Locked out by wrong tokens. */
  readonly locked: TestServer
  /** Its config file cannot be written. */
  readonly unwritable: TestServer
}

const startServers = Effect.gen(function*() {
  const [main, small, unlicensed, single, locked, unwritable] = yield* Effect.all([
    startServer(),
    startServer({ config: { client_max_body_size: "1k" } }),
    startServer({ license: staticLicenseLayer({ status: "expired", servesCaptures: false, detail: "license: expired" }) }),
    startServer({ config: { engine_pool_size: 1, engine_queue_timeout: 0.2 } }),
    startServer(),
    startServer()
  ])
  for (let i = 0; i < 5; i++) yield* post(`${locked.url}/config`, "{}", admin(`wrong-${i}`))
  // The file's place is taken by a directory with something in it: the atomic rename must fail.
  fs.rmSync(unwritable.configPath)
  fs.mkdirSync(unwritable.configPath)
  fs.writeFileSync(path.join(unwritable.configPath, "keep"), "")
  return { main, small, unlicensed, single, locked, unwritable } satisfies Servers
})

/** 503 from a busy engine: one slow capture holds the only engine while another waits too long. */
const busy = (url: string) =>
  Effect.gen(function*() {
    const slow = yield* Effect.fork(postCapture(url, encodeFakeCapture({ outcome: "Live", engineMillis: 1200 })))
    yield* Effect.sleep("150 millis")
    const answer = yield* postCapture(url, live())
    yield* Fiber.join(slow)
    expect(answer.headers.get("retry-after")).toMatch(/^[1-9]\d*$/)
    return answer
  })

type Producer = (servers: Servers) => Effect.Effect<Answer>

const CAPTURE_PRODUCERS = (endpoint: string, internal: string): Record<string, ReadonlyArray<Producer>> => ({
  "200": [({ main }) => postCapture(`${main.url}/${endpoint}`, live())],
  "400": [
    ({ main }) => postCapture(`${main.url}/${endpoint}`, new Uint8Array([0xff, 0x00, 0x13])),
    ({ main }) => post(`${main.url}/${endpoint}`, "capture=abc", { "content-type": "application/x-www-form-urlencoded" }),
    ({ main }) => post(`${main.url}/${endpoint}`, captureForm(live(), "file"))
  ],
  "413": [
    ({ small }) => postCapture(`${small.url}/${endpoint}`, new Uint8Array(4096)),
    ({ small }) => send(`${small.url}/${endpoint}`, chunked(4096))
  ],
  "500": [({ main }) => postCapture(`${main.url}/${endpoint}`, encodeFakeCapture({ outcome: internal as "ErrorProcessing" }))],
  "503": [
    ({ single }) => busy(`${single.url}/${endpoint}`),
    ({ unlicensed }) => postCapture(`${unlicensed.url}/${endpoint}`, live())
  ]
})

/** For every operation and status the document declares: requests that must produce it. */
const PRODUCERS: Record<string, Record<string, ReadonlyArray<Producer>>> = {
  "post /api/v1/iad/liveness/evaluate": CAPTURE_PRODUCERS("liveness/evaluate", "ErrorProcessing"),
  "post /api/v1/iad/extract": CAPTURE_PRODUCERS("extract", "ErrorProcessing"),
  "get /api/v1/iad/health": {
    "200": [({ main }) => send(`${main.url}/health`)],
    "503": [({ unlicensed }) => send(`${unlicensed.url}/health`)]
  },
  "get /api/v1/iad/version": { "200": [({ main }) => send(`${main.url}/version`)] },
  "get /api/v1/iad/openapi.json": { "200": [({ main }) => send(`${main.url}/openapi.json`)] },
  "get /api/v1/iad/config": {
    "200": [({ main }) => send(`${main.url}/config`, { headers: admin() })],
    "401": [({ main }) => send(`${main.url}/config`)],
    "403": [
      ({ main }) => send(`${main.url}/config`, { headers: { authorization: "Bearer nope" } }),
      ({ main }) => send(`${main.url}/config`, { headers: { ...admin(), origin: "https://evil.example" } })
    ],
    "429": [({ locked }) => send(`${locked.url}/config`, { headers: admin() })]
  },
  "post /api/v1/iad/config": {
    "200": [({ main }) => post(`${main.url}/config`, JSON.stringify({ liveness_threshold: 0.55 }), admin())],
    "400": [
      ({ main }) => post(`${main.url}/config`, JSON.stringify({ liveness_threshold: 2 }), admin()),
      ({ main }) => post(`${main.url}/config`, JSON.stringify({ no_such_key: 1 }), admin()),
      ({ main }) => post(`${main.url}/config`, "{nope", admin())
    ],
    "401": [({ main }) => post(`${main.url}/config`, "{}", { "content-type": "application/json" })],
    "403": [({ main }) => post(`${main.url}/config`, "{}", admin("nope"))],
    "413": [({ main }) => post(`${main.url}/config`, JSON.stringify({ address: "x".repeat(70_000) }), admin())],
    "415": [({ main }) => post(`${main.url}/config`, "{\"liveness_threshold\":0}", { ...admin(), "content-type": "text/plain" })],
    "429": [({ locked }) => post(`${locked.url}/config`, "{}", admin())],
    "500": [({ unwritable }) => post(`${unwritable.url}/config`, JSON.stringify({ liveness_threshold: 0.6 }), admin())]
  },
  "post /api/v1/iad/sessions": {
    "201": [
      ({ main }) => post(`${main.url}/sessions`, "", admin()),
      ({ main }) => post(`${main.url}/sessions`, JSON.stringify({ origin: "https://shop.example" }), admin())
    ],
    "400": [
      ({ main }) => post(`${main.url}/sessions`, "{nope", admin()),
      ({ main }) => post(`${main.url}/sessions`, JSON.stringify({ origin: "not an origin" }), admin())
    ],
    "401": [({ main }) => post(`${main.url}/sessions`, "")],
    "403": [({ main }) => post(`${main.url}/sessions`, "", admin("nope"))],
    "413": [({ main }) => post(`${main.url}/sessions`, JSON.stringify({ origin: "x".repeat(5000) }), admin())],
    "429": [({ locked }) => post(`${locked.url}/sessions`, "", admin())]
  },
  "post /api/v1/iad/check-capture": { "410": [({ main }) => postCapture(`${main.url}/check-capture`, live())] },
  "post /api/v1/iad/extract-image": { "410": [({ main }) => postCapture(`${main.url}/extract-image`, live())] }
}

/** Requests a hostile or careless client sends; each must get a status its operation declares. */
const HOSTILE: Record<string, ReadonlyArray<Producer>> = {
  "post /api/v1/iad/liveness/evaluate": [
    ({ main }) => post(`${main.url}/liveness/evaluate`, ""),
    ({ main }) => post(`${main.url}/liveness/evaluate`, "--x\r\nbroken", { "content-type": "multipart/form-data; boundary=x" }),
    ({ main }) => post(`${main.url}/liveness/evaluate`, "x", { "content-type": "multipart/form-data" }),
    ({ main }) => postCapture(`${main.url}/liveness/evaluate`, new Uint8Array(0)),
    ({ main }) => postCapture(`${main.url}/liveness/evaluate`, live().map((byte, i) => (i === 20 ? byte ^ 0xff : byte)))
  ],
  "post /api/v1/iad/config": [
    ({ main }) => post(`${main.url}/config`, "[1,2]", admin()),
    ({ main }) => post(`${main.url}/config`, "null", admin()),
    ({ main }) => post(`${main.url}/config`, JSON.stringify({ log: { log_level: "LOUD" } }), admin()),
    ({ main }) => post(`${main.url}/config`, JSON.stringify({ license: { host: "http://evil.example" } }), admin()),
    ({ main }) => post(`${main.url}/config`, "{}", { authorization: "Basic YWRtaW46YWRtaW4=", "content-type": "application/json" }),
    ({ main }) => post(`${main.url}/config`, "{}", { ...admin(), "content-type": "" })
  ],
  "get /api/v1/iad/config": [({ main }) => send(`${main.url}/config`, { headers: { authorization: "Bearer" } })]
}

const makeValidator = (document: Json) => {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
  return (schema: unknown, value: unknown): string | undefined => {
    // Component references ("#/components/schemas/X") resolve against the document itself.
    const validate = ajv.compile({ ...(schema as object), components: document["components"] })
    return validate(value) ? undefined : ajv.errorsText(validate.errors)
  }
}

const responsesOf = (document: Json) => {
  const out: Array<{ key: string; responses: Json }> = []
  for (const [route, operations] of Object.entries(document["paths"] as Json)) {
    for (const [method, operation] of Object.entries(operations as Json)) {
      out.push({ key: `${method} ${route}`, responses: (operation as Json)["responses"] as Json })
    }
  }
  return out
}

const checkAnswer = (
  validate: ReturnType<typeof makeValidator>,
  where: string,
  declared: Json | undefined,
  answer: Answer
) => {
  expect(declared, `${where}: status ${answer.status} (${answer.text.slice(0, 200)}) is not declared`).toBeDefined()
  const content = (declared!["content"] as Json | undefined)?.["application/json"] as Json | undefined
  if (content !== undefined) {
    expect(answer.headers.get("content-type"), where).toMatch(/^application\/json/)
    const problem = validate(content["schema"], JSON.parse(answer.text))
    expect(problem, `${where}: body ${answer.text.slice(0, 200)}`).toBeUndefined()
  } else {
    expect(answer.text, `${where}: no body declared`).toBe("")
  }
  for (const [name, header] of Object.entries((declared!["headers"] ?? {}) as Json)) {
    const value = answer.headers.get(name)
    if ((header as Json)["required"] === true) expect(value, `${where}: header ${name}`).not.toBeNull()
    if (value !== null) {
      const problem = validate((header as Json)["schema"], value)
      expect(problem, `${where}: header ${name}: ${value}`).toBeUndefined()
    }
  }
}

describe("openapi.json is true", () => {
  it.scopedLive("every declared status of every operation is produced, and its body and headers match", () =>
    Effect.gen(function*() {
      const servers = yield* startServers
      const document = JSON.parse((yield* send(`${servers.main.url}/openapi.json`)).text) as Json
      const validate = makeValidator(document)
      const operations = responsesOf(document)
      expect(operations.map(({ key }) => key).sort()).toEqual(Object.keys(PRODUCERS).sort())
      let produced = 0
      for (const { key, responses } of operations) {
        const producers = PRODUCERS[key]!
        expect(Object.keys(responses).sort(), `${key}: declared statuses`).toEqual(Object.keys(producers).sort())
        for (const [status, makers] of Object.entries(producers)) {
          for (const [index, make] of makers.entries()) {
            const answer = yield* make(servers)
            const where = `${key} -> ${status} (#${index})`
            expect(answer.status, `${where}: ${answer.text.slice(0, 200)}`).toBe(Number(status))
            checkAnswer(validate, where, responses[status] as Json, answer)
            produced++
          }
        }
      }
      expect(produced).toBeGreaterThanOrEqual(35)
    }), 60_000)

  it.scopedLive("hostile and malformed requests get only declared statuses, with bodies as documented", () =>
    Effect.gen(function*() {
      const servers = yield* startServers
      const document = JSON.parse((yield* send(`${servers.main.url}/openapi.json`)).text) as Json
      const validate = makeValidator(document)
      const byKey = new Map(responsesOf(document).map(({ key, responses }) => [key, responses]))
      for (const [key, makers] of Object.entries(HOSTILE)) {
        for (const [index, make] of makers.entries()) {
          const answer = yield* make(servers)
          checkAnswer(validate, `${key} hostile #${index}`, byKey.get(key)![String(answer.status)] as Json | undefined, answer)
        }
      }
    }), 60_000)

  it.scoped("declares the bearer scheme on /config and /sessions only, and no decode error anywhere", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const document = JSON.parse((yield* send(`${url}/openapi.json`)).text) as Json
      expect((document["components"] as Json)["securitySchemes"]).toMatchObject({ adminToken: { type: "http", scheme: "bearer" } })
      for (const { key } of responsesOf(document)) {
        const [method, route] = key.split(" ") as [string, string]
        const operation = ((document["paths"] as Json)[route] as Json)[method] as Json
        const admin = route.endsWith("/config") || route.endsWith("/sessions")
        expect(operation["security"], key).toEqual(admin ? [{ adminToken: [] }] : [])
      }
      expect(JSON.stringify(document)).not.toContain("HttpApiDecodeError")
      const capture = (((document["paths"] as Json)["/api/v1/iad/liveness/evaluate"] as Json)["post"] as Json)["requestBody"]
      expect(capture).toMatchObject({
        content: { "multipart/form-data": { schema: { properties: { capture: { type: "string", format: "binary" } } } } }
      })
    }))
})
