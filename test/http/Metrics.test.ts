/**
 * Prometheus metrics on `metrics_port`, scraped over real HTTP after real requests (fake engine:
 * the real pipeline with scripted captures). Effect metrics are process-wide, so each test counts
 * what its own requests added between two scrapes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as net from "node:net"
import { encodeFakeCapture, type FakeCaptureInput } from "../../src/infra/fake/FakeCaptureDocument.js"
import { staticLicenseLayer } from "../../src/infra/StaticLicenseGate.js"
import { delta, sampleOf, type Scrape, scrape } from "../support/PrometheusScrape.js"
import { freePort } from "../support/RedisServer.js"
import { postCapture, postConfig, request, startServer, type TestServerOptions } from "../support/TestServer.js"

const EVALUATE = "/api/v1/iad/liveness/evaluate"

/** The service with its metrics listener on a free loopback port. */
const startWithMetrics = (options: TestServerOptions = {}) =>
  Effect.gen(function*() {
    const metricsPort = yield* freePort
    const server = yield* startServer({ ...options, config: { metrics_port: metricsPort, ...options.config } })
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    return { ...server, metricsUrl, publicRoot: server.url.replace(/\/api\/v1\/iad$/, ""), scrapeNow: scrape(metricsUrl) }
  })

const evaluate = (url: string, input: FakeCaptureInput) => postCapture(`${url}/liveness/evaluate`, encodeFakeCapture(input))

const requests = (labels: { endpoint: string; method: string; status: string }) => ["iad_http_requests_total", labels] as const

/** Cumulative bucket counts of one histogram series, in `le` order, ending with +Inf. */
const bucketsOf = (scraped: Scrape, name: string, labels: Readonly<Record<string, string>>) =>
  scraped.samples
    .filter((sample) =>
      sample.name === `${name}_bucket` && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
    )
    .map((sample) => ({ le: sample.labels.le === "+Inf" ? Infinity : Number(sample.labels.le), count: sample.value }))
    .sort((a, b) => a.le - b.le)

describe("GET /metrics on metrics_port", () => {
  it.scopedLive("counts requests, verdicts and face messages with their labels; the latency histogram moves", () =>
    Effect.gen(function*() {
      const server = yield* startWithMetrics({ config: { engine_pool_size: 3 } })
      const before = yield* server.scrapeNow
      expect(before.status).toBe(200)
      expect(before.contentType).toMatch(/^text\/plain/)

      expect((yield* evaluate(server.url, { outcome: "Live" })).status).toBe(200)
      expect((yield* evaluate(server.url, { outcome: "Live" })).status).toBe(200)
      expect((yield* evaluate(server.url, { outcome: "UntrustedDevice" })).body).toMatchObject({
        diagnostic: "NoLive",
        reason: "UntrustedDevice"
      })
      expect((yield* evaluate(server.url, { outcome: "NoneBecauseFaceTooClose" })).body).toEqual({ message: "NoneBecauseFaceTooClose" })
      // Bad input: not a capture at all, a path that does not exist, a GET on the capture endpoint.
      expect((yield* postCapture(`${server.url}/liveness/evaluate`, "not a capture")).status).toBe(400)
      expect((yield* request(`${server.publicRoot}/no/such/path?token=abc`)).status).toBe(404)
      expect((yield* request(`${server.url}/health`)).status).toBe(200)
      const after = yield* server.scrapeNow

      expect(delta(before, after, "iad_verdicts_total", { diagnostic: "Live", reason: "None" })).toBe(2)
      expect(delta(before, after, "iad_verdicts_total", { diagnostic: "NoLive", reason: "UntrustedDevice" })).toBe(1)
      expect(delta(before, after, "iad_face_rejections_total", { message: "NoneBecauseFaceTooClose" })).toBe(1)
      expect(delta(before, after, ...requests({ endpoint: EVALUATE, method: "POST", status: "200" }))).toBe(3)
      expect(delta(before, after, ...requests({ endpoint: EVALUATE, method: "POST", status: "400" }))).toBe(2)
      expect(delta(before, after, ...requests({ endpoint: "/api/v1/iad/health", method: "GET", status: "200" }))).toBe(1)
      // Unknown paths share one label value: a scanner cannot grow the series.
      expect(delta(before, after, ...requests({ endpoint: "unmatched", method: "GET", status: "404" }))).toBe(1)
      expect(after.text).not.toContain("/no/such/path")
      expect(after.text).not.toContain("token=abc")

      const series = { endpoint: EVALUATE, method: "POST", status: "200" }
      expect(delta(before, after, "iad_http_request_duration_seconds_count", series)).toBe(3)
      expect(delta(before, after, "iad_http_request_duration_seconds_sum", series)).toBeGreaterThan(0)
      const buckets = bucketsOf(after, "iad_http_request_duration_seconds", series)
      expect(buckets.at(-1)).toEqual({ le: Infinity, count: sampleOf(after, "iad_http_request_duration_seconds_count", series) })
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.count).toBeGreaterThanOrEqual(buckets[i - 1]!.count)

      // Each capture that opens waits for a slot twice (open, then assess); the bad one once (its open fails).
      expect(delta(before, after, "iad_engine_queue_wait_seconds_count")).toBe(4 * 2 + 1)
      expect(sampleOf(after, "iad_engines_busy")).toBe(0)
      expect(sampleOf(after, "iad_engine_slots")).toBe(3)
      expect(sampleOf(after, "iad_license_status", { status: "not configured" })).toBe(1)
      expect(sampleOf(after, "iad_license_status", { status: "ok" })).toBe(0)
      expect(sampleOf(after, "iad_license_serves_captures")).toBe(1)
    }))

  it.scopedLive("the public port has no /metrics; the metrics port serves nothing else", () =>
    Effect.gen(function*() {
      const server = yield* startWithMetrics()
      const onPublic = yield* request(`${server.publicRoot}/metrics`)
      expect(onPublic.status).toBe(404)
      expect(JSON.stringify(onPublic.body)).not.toContain("iad_")
      expect((yield* request(`${server.url}/metrics`)).status).toBe(404)
      const metricsRoot = server.metricsUrl.replace(/\/metrics$/, "")
      expect((yield* scrape(`${metricsRoot}/`)).status).toBe(404)
      expect((yield* scrape(`${metricsRoot}/api/v1/iad/health`)).status).toBe(404)
      expect((yield* scrape(server.metricsUrl, { method: "POST", body: "x" })).status).toBe(404)
      expect((yield* scrape(`${server.metricsUrl}?x=1`)).status).toBe(200)
    }))

  it.scopedLive("engines busy counts the slot a capture holds while it works", () =>
    Effect.gen(function*() {
      const server = yield* startWithMetrics()
      const slow = yield* Effect.fork(evaluate(server.url, { outcome: "Live", engineMillis: 1500 }))
      let busy = 0
      for (let attempt = 0; attempt < 40 && busy === 0; attempt++) {
        yield* Effect.sleep("25 millis")
        busy = sampleOf(yield* server.scrapeNow, "iad_engines_busy") ?? 0
      }
      expect(busy).toBe(1)
      expect((yield* Fiber.join(slow)).status).toBe(200)
      expect(sampleOf(yield* server.scrapeNow, "iad_engines_busy")).toBe(0)
    }))

  it.scopedLive("a queue timeout is counted and the wait shows in the queue histogram", () =>
    Effect.gen(function*() {
      const server = yield* startWithMetrics({ config: { engine_pool_size: 1, engine_queue_timeout: 0.3 } })
      const before = yield* server.scrapeNow
      const slow = yield* Effect.fork(evaluate(server.url, { outcome: "Live", engineMillis: 1200 }))
      yield* Effect.sleep("200 millis")
      const refused = yield* evaluate(server.url, { outcome: "Live" })
      expect(refused.status).toBe(503)
      expect((yield* Fiber.join(slow)).status).toBe(200)
      const after = yield* server.scrapeNow
      expect(delta(before, after, "iad_engine_queue_timeouts_total")).toBe(1)
      // The refused wait (0.3 s) lands above the 0.25 s bucket; the slow capture's own steps did not wait.
      expect(delta(before, after, "iad_engine_queue_wait_seconds_sum")).toBeGreaterThanOrEqual(0.3)
      expect(delta(before, after, "iad_engine_queue_wait_seconds_count")).toBe(3)
      expect(delta(before, after, "iad_engine_queue_wait_seconds_bucket", { le: "0.25" })).toBe(2)
      expect(delta(before, after, "iad_engine_queue_wait_seconds_bucket", { le: "0.5" })).toBe(3)
      expect(delta(before, after, ...requests({ endpoint: EVALUATE, method: "POST", status: "503" }))).toBe(1)
    }))

  it.scopedLive("license state: an expired license reads as such, and its refusals are counted as 503s", () =>
    Effect.gen(function*() {
      const server = yield* startWithMetrics({
        license: staticLicenseLayer({ status: "expired", servesCaptures: false, detail: "expired for the test" })
      })
      const before = yield* server.scrapeNow
      expect(sampleOf(before, "iad_license_status", { status: "expired" })).toBe(1)
      expect(sampleOf(before, "iad_license_status", { status: "not configured" })).toBe(0)
      expect(sampleOf(before, "iad_license_serves_captures")).toBe(0)
      expect((yield* evaluate(server.url, { outcome: "Live" })).body).toEqual({ message: "NoneBecauseLicenseError" })
      const after = yield* server.scrapeNow
      expect(delta(before, after, ...requests({ endpoint: EVALUATE, method: "POST", status: "503" }))).toBe(1)
      expect(delta(before, after, "iad_verdicts_total", { diagnostic: "Live", reason: "None" })).toBe(0)
    }))

  it.scopedLive("replay-store errors: each capture refused because Redis does not answer is counted", () =>
    Effect.gen(function*() {
      const nobody = yield* freePort
      const server = yield* startWithMetrics({
        env: {
          FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true",
          FACEPHI_IAD_REPLAY_ATTACK_STORE: `redis://127.0.0.1:${nobody}/0`
        }
      })
      const before = yield* server.scrapeNow
      expect((yield* evaluate(server.url, { outcome: "Live" })).status).toBe(503)
      expect((yield* postCapture(`${server.url}/extract`, encodeFakeCapture({ outcome: "Live" }))).status).toBe(503)
      const after = yield* server.scrapeNow
      expect(delta(before, after, "iad_replay_store_errors_total")).toBe(2)
      expect(delta(before, after, "iad_verdicts_total", { diagnostic: "Live", reason: "None" })).toBe(0)
    }))
})

describe("metrics configuration", () => {
  it.scopedLive("metrics_port equal to port stops startup, naming the key", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const error = yield* Effect.flip(startServer({ config: { port, metrics_port: port } }))
      expect(error.message).toMatch(/config key "metrics_port": must differ from "port"/)
    }))

  it.scopedLive("a metrics port already in use stops startup, naming the listener", () =>
    Effect.gen(function*() {
      const taken = net.createServer()
      const port = yield* Effect.async<number>((resume) => {
        taken.listen(0, "127.0.0.1", () => resume(Effect.succeed((taken.address() as net.AddressInfo).port)))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => taken.close()))
      const error = yield* Effect.flip(startServer({ config: { metrics_port: port } }))
      expect(error.message).toContain(`metrics listener on 127.0.0.1:${port}`)
      expect(error.message).toMatch(/EADDRINUSE/)
    }))

  it.scopedLive("bad values of metrics_port and metrics_address are refused with the key named", () =>
    Effect.gen(function*() {
      for (const bad of ["70000", "-1", "abc"]) {
        const error = yield* Effect.flip(startServer({ env: { FACEPHI_IAD_METRICS_PORT: bad } }))
        expect(error.message, bad).toMatch(/config key "metrics_port" \(from FACEPHI_IAD_METRICS_PORT\)/)
      }
      const empty = yield* Effect.flip(startServer({ config: { metrics_address: "" } }))
      expect(empty.message).toMatch(/config key "metrics_address"/)
    }))

  it.scopedLive("off by default: GET /config shows metrics_port 0 on loopback; POST /config refuses the public port", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const config = yield* request(`${url}/config`, { headers: { authorization: "Bearer test-admin-token-0123456789abcdef0123456789" } })
      expect(config.body).toMatchObject({ metrics_port: 0, metrics_address: "127.0.0.1" })
      const refused = yield* postConfig(url, { port: 7001, metrics_port: 7001 })
      expect(refused.status).toBe(400)
      expect(refused.body.message).toMatch(/metrics_port/)
      const accepted = yield* postConfig(url, { metrics_port: 9464 })
      expect(accepted.status).toBe(200)
    }))
})
