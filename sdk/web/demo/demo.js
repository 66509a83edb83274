// The demo page's script (CSP: script-src 'self'). It gets a session from the loopback-only demo
// endpoint, captures with the browser SDK, posts the capture to the service, and shows the answer
// as the service sent it. data-* attributes on #result carry the HTTP status and the time from
// Start to answer, for people and for the browser tests.
import { captureFace } from "/api/v1/iad/sdk/iad-capture.js"

const start = document.getElementById("start")
const status = document.getElementById("status")
const result = document.getElementById("result")
const camera = document.getElementById("camera")
const preview = document.getElementById("preview")

/** The page's own preview, so the user sees the camera before and after the burst (the SDK shows its own during it). */
const showPreview = async () => {
  try {
    preview.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
    await preview.play()
  } catch {
    // No preview (no camera or no permission yet): the capture asks again and reports the error.
  }
}

const say = (text) => {
  status.textContent = text
}

const show = (httpStatus, body, elapsedMs, steps = {}) => {
  result.textContent = JSON.stringify(body, null, 2)
  result.dataset.status = String(httpStatus)
  result.dataset.elapsedMs = String(elapsedMs)
  // Where the time went: the SDK's capture (camera, warm-up, burst, encoding) and the service's answer.
  for (const [name, ms] of Object.entries(steps)) result.dataset[name] = String(Math.round(ms))
  if (typeof body.diagnostic === "string") result.dataset.diagnostic = body.diagnostic
  result.dataset.state = "done"
}

const run = async () => {
  start.disabled = true
  result.textContent = ""
  delete result.dataset.state
  delete result.dataset.diagnostic
  const began = performance.now()
  try {
    say("getting a session…")
    const sessionAnswer = await fetch("/api/v1/iad/demo/session", { method: "POST" })
    const session = await sessionAnswer.json()
    if (!sessionAnswer.ok) {
      show(sessionAnswer.status, session, Math.round(performance.now() - began))
      say("no session")
      return
    }
    say("look at the camera…")
    const captureStarted = performance.now()
    const capture = await captureFace({ servicePublicKey: session.servicePublicKey, sessionToken: session.token, container: camera })
    const captured = performance.now()
    say("the service is checking the capture…")
    const form = new FormData()
    form.append("capture", capture, "capture.iad")
    const answer = await fetch("/api/v1/iad/liveness/evaluate", { method: "POST", body: form })
    const body = await answer.json()
    const answered = performance.now()
    show(answer.status, body, Math.round(answered - began), {
      sessionMs: captureStarted - began,
      captureMs: captured - captureStarted,
      serviceMs: answered - captured
    })
    say("done")
  } catch (error) {
    show(0, { error: `${error.name}: ${error.message}` }, Math.round(performance.now() - began))
    result.dataset.state = "error"
    say("failed")
  } finally {
    start.disabled = false
  }
}

start.addEventListener("click", run)
showPreview()
start.disabled = false
say("ready")
if (new URLSearchParams(location.search).get("autostart") === "1") run()
