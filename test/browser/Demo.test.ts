/**
 * Web captures end to end in real Chromium: the demo page served by the service (native engine,
 * ONNX face models) gets a session from the loopback-only endpoint, captures through the real SDK
 * from Chromium's fake camera (a y4m of a real face photo with per-frame sensor noise), and shows
 * the service's answer. The automated browser and its fake camera are themselves an injection: the
 * default policy answers NoLive for them; a test policy that does not flag them answers Live.
 * Replayed and expired session tokens are rejected. Measures Start->answer; with
 * IAD_SAVE_DEMO_SCREENSHOT=1 saves the Live answer's page as docs/demo.png.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Page } from "puppeteer-core"
import { buildSdk } from "../../sdk/web/build.mjs"
import { makeTempDir, postConfig, RunningServer, testServerLayer } from "../support/TestServer.js"
import { launchChromium } from "./chromium.js"
import { writeFaceY4m } from "./fakeCamera.js"

const dir = makeTempDir()
const y4m = join(dir, "face.y4m")
const server = testServerLayer({
  dir,
  // INFO: a NoLive's evidence (logged, never answered) shows in the output of a failing run.
  config: { engine: "native", engine_pool_size: 1, demo: { enabled: true }, log: { log_path: "", log_level: "INFO", log_size_limit: 1048576 } }
})

/** Detection that does not flag the automated browser nor its fake camera (a y4m file label). */
const automationTolerated = { detection: { virtual_camera_names: [], web_environment_signals: [] } }
const defaultPolicy = { detection: null, sessions: null }

interface DemoAnswer {
  readonly status: number
  readonly elapsedMs: number
  /** Getting the session, the SDK's capture, posting it and the service's answer. */
  readonly steps: string
  readonly body: Record<string, unknown>
}

const DEMO_PAGE_TIMEOUT_MS = 60_000

/** Opens the demo with `?autostart=1` and waits for the answer it shows in #result. */
const runDemo = (page: Page, url: string) =>
  Effect.promise(async (): Promise<DemoAnswer> => {
    await page.goto(`${url}/demo?autostart=1`)
    await page.waitForSelector("#result[data-state]", { timeout: DEMO_PAGE_TIMEOUT_MS })
    return page.$eval("#result", (element) => ({
      status: Number(element.getAttribute("data-status")),
      elapsedMs: Number(element.getAttribute("data-elapsed-ms")),
      steps: ["session-ms", "capture-ms", "service-ms"].map((name) => `${name} ${element.getAttribute(`data-${name}`)}`).join(", "),
      body: JSON.parse(element.textContent ?? "null") as Record<string, unknown>
    }))
  })

/** In the demo page: one session, `captures` captures with its token (a pause before posting), each posted. */
const captureScript = (captures: number, pauseMs: number) => `(async () => {
  const { captureFace } = await import("/api/v1/iad/sdk/iad-capture.js")
  const session = await (await fetch("/api/v1/iad/demo/session", { method: "POST" })).json()
  const blobs = []
  for (let i = 0; i < ${captures}; i++) {
    blobs.push(await captureFace({ servicePublicKey: session.servicePublicKey, sessionToken: session.token, warmupMs: 300, container: document.getElementById("camera") }))
  }
  await new Promise((resolve) => setTimeout(resolve, ${pauseMs}))
  const answers = []
  for (const blob of blobs) {
    const form = new FormData()
    form.append("capture", blob, "capture.iad")
    const response = await fetch("/api/v1/iad/liveness/evaluate", { method: "POST", body: form })
    answers.push({ status: response.status, body: await response.json() })
  }
  return answers
})()`

const setPolicy = (url: string, patch: unknown) =>
  Effect.gen(function*() {
    const answer = yield* postConfig(url, patch)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  })

const openDemoPage = Effect.gen(function*() {
  const browser = yield* launchChromium(y4m)
  return yield* Effect.promise(() => browser.newPage())
})

describe("demo page and web captures in Chromium", () => {
  // The live clock: session expiry is measured against real time here.
  layer(server, { timeout: 180_000, excludeTestServices: true })("a service with the demo on", (it) => {
    it.scoped("prepares the SDK bundle the service serves and the fake camera", () =>
      Effect.gen(function*() {
        const built = yield* Effect.promise(() => buildSdk())
        expect(built.gzipBytes).toBeLessThanOrEqual(60 * 1024)
        yield* Effect.promise(() => writeFaceY4m(y4m))
      }))

    it.scoped("default policy: the automated browser with a fake camera is NoLive UntrustedEnvironment", () =>
      Effect.gen(function*() {
        const { url } = yield* RunningServer
        yield* setPolicy(url, defaultPolicy)
        const page = yield* openDemoPage
        const answer = yield* runDemo(page, url)
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
        // navigator.webdriver and headless Chromium: the environment; the y4m label: a virtual camera.
        expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedEnvironment" })
      }))

    it.scoped("a policy that tolerates automation: the same page is Live end to end (the screenshot of docs/demo.png)", () =>
      Effect.gen(function*() {
        const { url } = yield* RunningServer
        yield* setPolicy(url, automationTolerated)
        const page = yield* openDemoPage
        yield* Effect.promise(() => page.setViewport({ width: 800, height: 900 }))
        // The page works under its Content Security Policy: the browser reports no violation.
        const violations: Array<string> = []
        page.on("console", (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
        })
        const answer = yield* runDemo(page, url)
        expect(violations).toEqual([])
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
        expect(answer.body).toMatchObject({ diagnostic: "Live", reason: "None" })
        expect(answer.body["probability"] as number).toBeGreaterThan(0.5)
        expect(answer.elapsedMs).toBeGreaterThan(0)
        // docs/demo.png is refreshed on request only, so that a test run leaves the checkout clean.
        const shots = process.env["IAD_SAVE_DEMO_SCREENSHOT"] === "1" ? join(import.meta.dirname, "../../docs") : dir
        mkdirSync(shots, { recursive: true })
        const png = yield* Effect.promise(() => page.screenshot({ fullPage: true }))
        expect(Buffer.from(png).subarray(1, 4).toString("latin1")).toBe("PNG")
        yield* Effect.promise(() => writeFile(join(shots, "demo.png"), png))
        process.stdout.write(`demo: Start -> answer ${answer.elapsedMs} ms (${answer.steps})\n`)
      }))

    it.scoped("a session token is used once: the second capture with it is a replay", () =>
      Effect.gen(function*() {
        const { url } = yield* RunningServer
        yield* setPolicy(url, automationTolerated)
        const page = yield* openDemoPage
        yield* Effect.promise(() => page.goto(`${url}/demo`))
        const answers = yield* Effect.promise(() => page.evaluate(captureScript(2, 0)) as Promise<Array<{ status: number; body: unknown }>>)
        // The whole answer in the message: a NoLive here says which check spoke.
        expect(answers[0], JSON.stringify(answers[0])).toMatchObject({ status: 200, body: { diagnostic: "Live" } })
        expect(answers[1]).toEqual({ status: 400, body: { message: "Replay attack detected" } })
      }))

    it.scoped("an expired session token is NoLive UntrustedDevice", () =>
      Effect.gen(function*() {
        const { url } = yield* RunningServer
        yield* setPolicy(url, { ...automationTolerated, sessions: { ttl_seconds: 1 } })
        const page = yield* openDemoPage
        yield* Effect.promise(() => page.goto(`${url}/demo`))
        const answers = yield* Effect.promise(() => page.evaluate(captureScript(1, 1500)) as Promise<Array<{ status: number; body: unknown }>>)
        expect(answers[0]).toMatchObject({ status: 200, body: { diagnostic: "NoLive", reason: "UntrustedDevice" } })
      }))
  })
})
