/**
 * `npm run eval [-- --per-type N --bona-fide N]`: builds the labelled corpus (eval/Corpus.ts) with
 * fresh keys, runs it through the real engine and prints APCER per attack type, the reason
 * confusion matrix, BPCER and throughput. Takes a few minutes on 2 cores.
 */
import { Effect, Logger, LogLevel } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateKeys, loadEncoderKeys } from "../src/capture/index.js"
import { corpusPlan, FramePool, type Label, makeSample, type Sample } from "./Corpus.js"
import { errorRate, evalEngineLayer, evaluate } from "./Evaluate.js"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const perType = arg("per-type", 50)
const bonaFide = arg("bona-fide", 200)
const poolSize = arg("pool", 2)

/**
 * Progress on stderr, so that stdout carries only the report: a bar redrawn in place on a
 * terminal, a line every 10% otherwise (CI logs).
 */
const progress = (what: string, total: number) => {
  let shownTenth = -1
  return (done: number) => {
    if (process.stderr.isTTY) {
      const width = 30
      const filled = Math.round((width * done) / total)
      process.stderr.write(`\r${what} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`)
      return
    }
    const tenth = Math.floor((10 * done) / total)
    if (tenth !== shownTenth) {
      shownTenth = tenth
      process.stderr.write(`${what}: ${done}/${total}\n`)
    }
  }
}

/** The service's own logs (e.g. the evidence of each rejected capture) stay out of the report: warnings and worse go to stderr. */
const quietLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) process.stderr.write(`${logLevel.label}: ${String(message)}\n`)
  })
)

const pct = (n: number, d: number) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(2)}%`)

const main = async () => {
  const keysDir = join(mkdtempSync(join(tmpdir(), "iad-eval-")), "keys")
  await generateKeys(keysDir)
  const keys = await loadEncoderKeys(keysDir)
  let t = performance.now()
  const pool = await FramePool.make(12, 4)
  const samples: Array<Sample> = []
  const plan = corpusPlan(perType, bonaFide)
  const building = progress("building captures", plan.reduce((sum, part) => sum + part.count, 0))
  for (const { count, recipe } of plan) {
    for (let i = 0; i < count; i++) {
      samples.push(await makeSample(recipe, pool, keys))
      building(samples.length)
    }
  }
  console.log(`corpus: ${samples.length} captures built in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  t = performance.now()
  const report = await Effect.runPromise(
    Effect.scoped(evaluate(samples, poolSize, progress("evaluating", samples.length))).pipe(
      Effect.provide(evalEngineLayer(keysDir, poolSize)),
      Effect.provide(quietLogger)
    )
  )
  const labels = [...new Set(samples.map((s) => s.label))] as Array<Label>
  const answers = [...new Set(report.outcomes.map((o) => o.answer))].sort()

  console.log(`\nReason confusion matrix (rows: ground truth; columns: the service's answer)`)
  const header = ["", ...answers].map((a, i) => (i === 0 ? a.padEnd(31) : a.slice(0, 18).padStart(19))).join("")
  console.log(header)
  for (const label of labels) {
    const row = answers.map((a) => String(report.outcomes.filter((o) => o.label === label && o.answer === a).length).padStart(19))
    console.log(label.padEnd(31) + row.join(""))
  }
  console.log(`\nPer variant`)
  const variants = [...new Set(report.outcomes.map((o) => `${o.label}/${o.variant}`))]
  for (const v of variants) {
    const mine = report.outcomes.filter((o) => `${o.label}/${o.variant}` === v)
    const counts = [...new Set(mine.map((o) => o.answer))].map((a) => `${a} ${mine.filter((o) => o.answer === a).length}`)
    console.log(`  ${v.padEnd(58)} ${counts.join(", ")}`)
  }
  console.log(`\nISO/IEC 30107-3 (Live = accepted)`)
  for (const label of labels.filter((l) => l !== "BonaFide")) {
    const { errors, total } = errorRate(report.outcomes, label)
    console.log(`  APCER ${label.padEnd(31)} ${pct(errors, total).padStart(8)}  (${errors}/${total})`)
  }
  const bona = errorRate(report.outcomes, "BonaFide")
  console.log(`  BPCER ${"".padEnd(31)} ${pct(bona.errors, bona.total).padStart(8)}  (${bona.errors}/${bona.total})`)
  console.log(
    `\nthroughput: ${samples.length} evaluations in ${report.seconds.toFixed(1)} s = ${(samples.length / report.seconds).toFixed(1)} captures/s ` +
      `(open + assess, engine pool ${poolSize}, in-process; wall ${((performance.now() - t) / 1000).toFixed(1)} s)`
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
