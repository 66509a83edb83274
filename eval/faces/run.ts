/**
 * `npm run eval:faces [-- --bursts 20 --pool 8 --presence P --only tune|held-out --ids a,b --dump DIR]`:
 * every labelled photo (labels.json) becomes a 1280x720 still, then `--pool` simulated camera
 * frames (src/capture `simulateBurst`: sensor noise, micro-motion, exposure jitter); `--bursts`
 * 3-frame bursts are drawn from them (different frames, so a different best frame and different
 * noise each time) and analysed by the real face analyzer (ONNX models, native decoder), best
 * frame first as the reference SDK sends it. Prints per public message precision and recall, the
 * confusion matrix, the share of photos whose answer changes between bursts, for the tune part,
 * the held-out part and all. `--presence` overrides `min_face_presence` (0 shows the face-presence
 * the landmark model gives every main detection, the measurement the default was chosen from).
 */
import { Effect } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { simulateBurst } from "../../src/capture/index.js"
import { faceProblemTable } from "../../src/domain/EngineReasons.js"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { ortFaceAnalyzerLayer } from "../../src/infra/face/OrtFaceAnalyzer.js"
import { buildStill } from "./Frames.js"
import { type Answer, type LabelledPhoto, loadLabels, photoPath } from "./Labels.js"
import { majority, type Outcome, precisionRecall, score, type Scores } from "./Scores.js"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const BURSTS = Number(arg("bursts") ?? 20)
const POOL = Number(arg("pool") ?? 8)
const BURST_FRAMES = 3
const only = arg("only")
/** Comma-separated ids: evaluate only these photos. */
const ids = arg("ids")?.split(",")
const dump = arg("dump")
const thresholds = { ...defaultFaceThresholds, ...(arg("presence") === undefined ? {} : { min_face_presence: Number(arg("presence")) }) }

/** `count` different 3-frame picks out of `pool` frames, spread over all the combinations. */
const picks = (pool: number, count: number): Array<Array<number>> => {
  const all: Array<Array<number>> = []
  for (let a = 0; a < pool; a++) for (let b = a + 1; b < pool; b++) for (let c = b + 1; c < pool; c++) all.push([a, b, c])
  return Array.from({ length: count }, (_, i) => {
    const [a, b, c] = all[Math.floor((i * all.length) / count) % all.length]!
    // Rotate which of the three is the best frame.
    return i % 3 === 0 ? [a!, b!, c!] : i % 3 === 1 ? [b!, c!, a!] : [c!, a!, b!]
  })
}

const pct = (x: number | undefined) => (x === undefined ? "   -  " : `${(100 * x).toFixed(1).padStart(5)}%`)

const report = (title: string, s: Scores, outcomes: ReadonlyArray<Outcome>) => {
  const answerCounts = (id: string) => {
    const counts = new Map<Answer, number>()
    for (const a of outcomes.find((o) => o.id === id)?.answers ?? []) counts.set(a, (counts.get(a) ?? 0) + 1)
    return `${id}: ${[...counts].map(([a, n]) => `${a} ${n}`).join(", ")}`
  }
  const out: Array<string> = []
  out.push(`\n## ${title}: ${s.photos} photos`)
  out.push(`answered their label: ${s.correct}/${s.photos} = ${pct(s.correct / s.photos)} (bursts: ${s.burstCorrect}/${s.bursts} = ${pct(s.burstCorrect / s.bursts)})`)
  out.push(`photos whose answer changes between bursts: ${s.unstable.length}/${s.photos} = ${pct(s.unstable.length / s.photos)}${s.unstable.length > 0 ? ` (${s.unstable.map(answerCounts).join("; ")})` : ""}`)
  out.push(`no-face photos ever answered Live or TooManyFaces: ${s.noPersonAccepted.length}${s.noPersonAccepted.length > 0 ? ` (${s.noPersonAccepted.join(", ")})` : ""}`)
  const messages: Array<Answer> = ["Live", ...Object.values(faceProblemTable)]
  out.push("\n| message | photos | answered | precision | recall |\n|---|---|---|---|---|")
  for (const m of messages) {
    const pr = precisionRecall(s, m)
    out.push(`| ${m} | ${pr.labelled} | ${pr.answered} | ${pct(pr.precision)} | ${pct(pr.recall)} |`)
  }
  const short = (m: Answer) => m.replace("NoneBecause", "").replace("Face", "F.")
  out.push(`\nconfusion (rows: label, columns: answer)\n| label \\ answer | ${messages.map(short).join(" | ")} |\n|---|${messages.map(() => "---").join("|")}|`)
  for (const label of messages) {
    const row = s.confusion.get(label)
    if (row === undefined) continue
    out.push(`| ${short(label)} | ${messages.map((m) => row.get(m) ?? ".").join(" | ")} |`)
  }
  if (s.wrong.length > 0) out.push(`\nwrong: ${s.wrong.map((w) => `${w.id} (${w.label} -> ${majority(w.answers)})`).join("; ")}`)
  console.log(out.join("\n"))
}

const analyzePhoto = (photo: LabelledPhoto) =>
  Effect.gen(function* () {
    const analyzer = yield* FaceAnalyzer
    const still = yield* Effect.promise(() => buildStill(photoPath(photo), photo.recipe))
    if (dump !== undefined) writeFileSync(join(dump, `${photo.id}.jpg`), still)
    const pool = yield* Effect.promise(() => simulateBurst([still], POOL))
    const answers: Array<Answer> = []
    const presence: Array<number> = []
    for (const pick of picks(POOL, BURSTS)) {
      const report = yield* analyzer.analyze(pick.map((i) => pool[i]!), 0)
      answers.push(report.problem === undefined ? "Live" : faceProblemTable[report.problem])
      if (report.measurements !== undefined) presence.push(report.measurements.landmarkConfidence)
    }
    return { outcome: { id: photo.id, label: photo.label, answers, withoutPerson: photo.label === "NoneBecauseFaceNotFound" } satisfies Outcome, presence }
  })

const main = Effect.gen(function* () {
  if (dump !== undefined) mkdirSync(dump, { recursive: true })
  const photos = loadLabels().filter((p) => (only === undefined || p.split === only) && (ids === undefined || ids.includes(p.id)))
  const started = performance.now()
  const outcomes: Array<Outcome & { split: string }> = []
  const presenceByLabel = new Map<string, Array<number>>()
  const confirmedWithoutFace: Array<string> = []
  for (const photo of photos) {
    const { outcome, presence } = yield* analyzePhoto(photo)
    outcomes.push({ ...outcome, split: photo.split })
    const kind = photo.label === "NoneBecauseFaceNotFound" ? "no face" : "face"
    presenceByLabel.set(kind, [...(presenceByLabel.get(kind) ?? []), ...presence.map((p) => Math.round(p * 100) / 100)])
    const confirmed = presence.filter((p) => p >= thresholds.min_face_presence)
    if (kind === "no face" && confirmed.length > 0) confirmedWithoutFace.push(`${photo.id} (${confirmed.length} bursts, ${confirmed.map((p) => p.toFixed(2)).join(" ")})`)
  }
  console.log(`# eval:faces: ${photos.length} photos x ${BURSTS} bursts of ${BURST_FRAMES} frames (from ${POOL} simulated frames each), min_face_presence ${thresholds.min_face_presence}, ${((performance.now() - started) / 1000).toFixed(0)} s`)
  for (const [kind, values] of presenceByLabel) {
    const sorted = values.sort((a, b) => a - b)
    const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]
    console.log(`main-face presence, ${kind} photos (${sorted.length} bursts with a face): min ${q(0)} p5 ${q(0.05)} median ${q(0.5)} p95 ${q(0.95)} max ${sorted[sorted.length - 1]}`)
  }
  console.log(`no-face photos with a confirmed face on a best frame: ${confirmedWithoutFace.length === 0 ? "none" : confirmedWithoutFace.join("; ")}`)
  for (const split of ["tune", "held-out"]) {
    const part = outcomes.filter((o) => o.split === split)
    if (part.length > 0) report(split, score(part), part)
  }
  if (only === undefined) report("all", score(outcomes), outcomes)
})

Effect.runPromise(main.pipe(Effect.provide(ortFaceAnalyzerLayer({ thresholds })))).catch((e) => {
  console.error(e)
  process.exit(1)
})
