/**
 * Traces over OTLP: the service runs with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at an in-process
 * receiver; requests go over real HTTP; the spans are read back as the collector would get them
 * (flushed when the service shuts down).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { buildCapture } from "../../src/capture/index.js"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { otlpTracesUrlOf } from "../../src/infra/telemetry/Telemetry.js"
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../support/OtlpReceiver.js"
import * as F from "../fixtures/face/faceFrames.js"
import { delta, scrape } from "../support/PrometheusScrape.js"
import { freePort } from "../support/RedisServer.js"
import {
  adminHeaders,
  makeTempDir,
  postCapture,
  request,
  startServer,
  TEST_ADMIN_TOKEN,
  type TestServer
} from "../support/TestServer.js"

/** A capture with a recognisable id and body, to look for in the exported attributes. */
const CAPTURE_ID = "c0ffee".repeat(5) + "00"
const captureDocument = { outcome: "Live", signals: { captureId: CAPTURE_ID } } as const
const captureBytes = encodeFakeCapture(captureDocument)

/** Runs `use` against a service exporting to `receiver`, then shuts the service down (flushing its spans). */
const withTracedService = <A>(env: Record<string, string>, use: (server: TestServer) => Effect.Effect<A>) =>
  Effect.scoped(Effect.flatMap(startServer({ env }), use))

const byName = (spans: ReadonlyArray<ReceivedSpan>, name: string): ReceivedSpan => {
  const found = spans.filter((span) => span.name === name)
  expect(found.map((span) => span.name), name).toEqual([name])
  return found[0]!
}

const tracedCapture = (receiver: OtlpReceiver) =>
  withTracedService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, ({ url }) =>
    Effect.gen(function*() {
      const answer = yield* postCapture(`${url}/liveness/evaluate`, captureBytes)
      expect(answer.body).toMatchObject({ diagnostic: "Live" })
      expect((yield* request(`${url}/config`, { headers: adminHeaders() })).status).toBe(200)
    }))

describe("traces over OTLP", () => {
  it.scopedLive("one capture is one trace: upload, license, open, replay, assess, forensics, face under the request", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      yield* tracedCapture(receiver)
      expect(receiver.requests.every((received) => received.path === "/v1/traces")).toBe(true)
      expect(receiver.requests[0]?.contentType).toMatch(/^application\/json/)

      const evaluate = byName(receiver.spans, "capture.evaluate")
      const trace = receiver.spans.filter((span) => span.traceId === evaluate.traceId)
      const root = byName(trace, "http.server POST")
      expect(root.parentSpanId).toBeUndefined()
      expect(root.attributes["url.path"]).toBe("/api/v1/iad/liveness/evaluate")
      expect(root.attributes["http.response.status_code"]).toBe(200)
      expect(root.resource["service.name"]).toBe("iad-service")
      expect(root.resource["service.version"]).toBe("2.0.0")

      const parentOf = (name: string) => trace.find((span) => span.spanId === byName(trace, name).parentSpanId)?.name
      expect(parentOf("capture.evaluate")).toBe("http.server POST")
      for (const step of ["capture.upload", "capture.license", "capture.open", "capture.replay", "capture.assess"]) {
        expect(parentOf(step), step).toBe("capture.evaluate")
      }
      expect(parentOf("capture.forensics")).toBe("capture.assess")
      expect(parentOf("capture.face")).toBe("capture.assess")
      expect(byName(trace, "capture.upload").attributes.captureBytes).toBe(captureBytes.byteLength)
      expect(byName(trace, "capture.open").attributes).toHaveProperty("queueMillis")
      expect(evaluate.attributes.captureId).toBe(CAPTURE_ID)
      // Nothing else in the capture's trace: the /config call is a trace of its own.
      expect(trace.every((span) => span.name === "http.server POST" || span.name.startsWith("capture."))).toBe(true)
      const config = receiver.spans.filter((span) => span.name === "http.server GET")
      expect(config).toHaveLength(1)
      expect(config[0]!.traceId).not.toBe(evaluate.traceId)
    }))

  it.scopedLive("no capture bytes and no secrets in any attribute", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      yield* tracedCapture(receiver)
      expect(receiver.spans.length).toBeGreaterThan(8)
      const values = receiver.spans.flatMap((span) => Object.values(span.attributes).map((value) => JSON.stringify(value)))
      const text = values.join("\n")
      expect(text).not.toContain(TEST_ADMIN_TOKEN)
      expect(text).not.toContain(new TextDecoder().decode(captureBytes))
      expect(text).not.toContain(Buffer.from(captureBytes).toString("base64"))
      expect(text).not.toContain("outcome")
      const configSpan = receiver.spans.find((span) => span.name === "http.server GET")!
      expect(configSpan.attributes["http.request.header.authorization"]).toBe("<redacted>")
    }))

  it.scopedLive("off when tracing is disabled: nothing reaches the collector", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      yield* withTracedService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SDK_DISABLED: "true" }, ({ url }) =>
        Effect.asVoid(postCapture(`${url}/liveness/evaluate`, captureBytes)))
      yield* withTracedService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_EXPORTER: "none" }, ({ url }) =>
        Effect.asVoid(postCapture(`${url}/liveness/evaluate`, captureBytes)))
      expect(receiver.requests).toEqual([])
    }))

  it.scopedLive("a collector that does not answer never fails a capture", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const nowhere = receiver.endpoint.replace(/:\d+$/, ":1")
      yield* withTracedService({ OTEL_EXPORTER_OTLP_ENDPOINT: nowhere }, ({ url }) =>
        Effect.gen(function*() {
          expect((yield* postCapture(`${url}/liveness/evaluate`, captureBytes)).status).toBe(200)
        }))
    }))
})

describe("the real engine", () => {
  it.scopedLive("a native capture: one trace through forensics and face analysis, its verdict counted, no bytes exported", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const dir = makeTempDir()
      const keysDir = path.join(dir, "keys")
      const metricsPort = yield* freePort
      // As test/http/NativeCapture.test.ts: a simulated phone burst of one frontal face.
      const config = {
        engine: "native",
        keys_dir: keysDir,
        engine_pool_size: 1,
        metrics_port: metricsPort,
        detection: { min_temporal_noise: 0.1, low_temporal_noise: 0.1 }
      }
      let bytes: Uint8Array = new Uint8Array()
      yield* Effect.scoped(Effect.gen(function*() {
        const { url } = yield* startServer({ dir, config, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } })
        const face = yield* Effect.promise(() => F.framedFace(F.frontalFace, 300, F.FRAME_WIDTH / 2, F.FRAME_HEIGHT / 2))
        bytes = yield* Effect.promise(() => buildCapture({ keysDir, frames: [face], burst: 3 }))
        const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
        const before = yield* scrape(metricsUrl)
        const answer = yield* postCapture(`${url}/liveness/evaluate`, bytes)
        expect(answer.body).toMatchObject({ diagnostic: "Live", reason: "None" })
        const after = yield* scrape(metricsUrl)
        expect(delta(before, after, "iad_verdicts_total", { diagnostic: "Live", reason: "None" })).toBe(1)
        expect(delta(before, after, "iad_engine_queue_wait_seconds_count")).toBe(2)
      }))
      const evaluate = byName(receiver.spans, "capture.evaluate")
      const trace = receiver.spans.filter((span) => span.traceId === evaluate.traceId)
      const assess = byName(trace, "capture.assess")
      expect(byName(trace, "capture.forensics").parentSpanId).toBe(assess.spanId)
      expect(byName(trace, "capture.face").parentSpanId).toBe(assess.spanId)
      expect(byName(trace, "capture.open").parentSpanId).toBe(evaluate.spanId)
      const text = receiver.spans.flatMap((span) => Object.values(span.attributes).map((value) => JSON.stringify(value))).join("\n")
      const slice = Buffer.from(bytes.subarray(64, 96))
      expect(text).not.toContain(slice.toString("base64"))
      expect(text).not.toContain(slice.toString("hex"))
    }), { timeout: 120_000 })
})

describe("where spans go (OpenTelemetry environment rules)", () => {
  it("nothing unless an endpoint is set", () => {
    expect(otlpTracesUrlOf({})).toBeUndefined()
    expect(otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toBeUndefined()
  })

  it("the base endpoint gets /v1/traces; the traces endpoint is used as given and wins", () => {
    expect(otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe("http://collector:4318/v1/traces")
    expect(otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe("http://collector:4318/v1/traces")
    expect(otlpTracesUrlOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://other:4318/custom"
    })).toBe("http://other:4318/custom")
  })

  it("OTEL_SDK_DISABLED=true or an exporter list without otlp turns it off", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }
    expect(otlpTracesUrlOf({ ...endpoint, OTEL_SDK_DISABLED: "TRUE" })).toBeUndefined()
    expect(otlpTracesUrlOf({ ...endpoint, OTEL_SDK_DISABLED: "false" })).toBe("http://collector:4318/v1/traces")
    expect(otlpTracesUrlOf({ ...endpoint, OTEL_TRACES_EXPORTER: "none" })).toBeUndefined()
    expect(otlpTracesUrlOf({ ...endpoint, OTEL_TRACES_EXPORTER: "console, otlp" })).toBe("http://collector:4318/v1/traces")
  })
})
