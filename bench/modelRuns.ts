/**
 * CPU per run of each face model as the face workers run it (one ONNX Runtime thread, every graph
 * optimization), on a fixed pseudo-random input of the size the analyzer feeds it.
 * `npx tsx bench/modelRuns.ts` measures `models/`; `npx tsx bench/modelRuns.ts <dir>` also
 * measures the models in `<dir>` (e.g. built by a changed converter, `buildFaceModels(dir)` in
 * scripts/models/build.ts), taking turns with `models/` so a slow spell weighs on both alike, and
 * counts the output values that differ between the two. `bench/run.ts` imports `benchModelRuns`.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import ort from "onnxruntime-node"
import { sessionOptions } from "../src/infra/face/FaceModels.js"
import { withFixedInputSize } from "../src/infra/face/FixedInputSize.js"
import { cpuMicrosPerCall } from "./CpuTime.js"
import { median } from "./service/Load.js"

/**
 * Input shapes (NCHW) the analyzer uses: the detector's letterbox, FaceMesh's crop, one eye. The
 * detector twice: its any-size session and the one made for 256x192 (DetectorSessions.ts), which a
 * 16:9 frame takes.
 */
const inputs = [
  { file: "blazeface.onnx", shape: [1, 3, 192, 256], sized: false },
  { file: "blazeface.onnx", shape: [1, 3, 192, 256], sized: true },
  { file: "facemesh.onnx", shape: [1, 3, 192, 192], sized: false },
  { file: "iris.onnx", shape: [1, 3, 64, 64], sized: false }
] as const

const openSession = (dir: string, file: string, shape: ReadonlyArray<number>, sized: boolean) =>
  sized
    ? ort.InferenceSession.create(withFixedInputSize(readFileSync(join(dir, file)), shape[2]!, shape[3]!), sessionOptions)
    : ort.InferenceSession.create(join(dir, file), sessionOptions)

export interface ModelRun {
  readonly file: string
  /** Median microseconds of process CPU per run. */
  readonly cpuUs: number
  readonly otherCpuUs?: number
  /** Output values that differ from the other directory's model, of all compared. */
  readonly differing?: { readonly values: number; readonly of: number; readonly maxAbs: number }
}

/** A deterministic input in [-1, 1) (a linear congruential sequence): the same for both directories. */
const inputTensor = (shape: ReadonlyArray<number>): ort.Tensor => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
  let state = 12345
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    data[i] = state / 2 ** 31 - 1
  }
  return new ort.Tensor("float32", data, [...shape])
}

const cpuPerRun = (session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number): Promise<number> =>
  cpuMicrosPerCall(runs, () => session.run(feeds))

const compareOutputs = (a: ort.InferenceSession.OnnxValueMapType, b: ort.InferenceSession.OnnxValueMapType) => {
  let values = 0
  let of = 0
  let maxAbs = 0
  for (const name of Object.keys(a)) {
    const x = a[name]!.data as Float32Array
    const y = b[name]!.data as Float32Array
    for (let i = 0; i < x.length; i++) {
      of++
      if (x[i] !== y[i]) {
        values++
        maxAbs = Math.max(maxAbs, Math.abs(x[i]! - y[i]!))
      }
    }
  }
  return { values, of, maxAbs }
}

export const benchModelRuns = async (modelsDir = "models", otherDir?: string, rounds = 15, runsPerRound = 30): Promise<Array<ModelRun>> => {
  const results: Array<ModelRun> = []
  for (const { file: name, shape, sized } of inputs) {
    const file = sized ? `${name} at ${shape[3]}x${shape[2]}` : name
    const session = await openSession(modelsDir, name, shape, sized)
    const other = otherDir === undefined ? undefined : await openSession(otherDir, name, shape, sized)
    const feeds = { [session.inputNames[0]!]: inputTensor(shape) }
    const otherFeeds = other === undefined ? undefined : { [other.inputNames[0]!]: inputTensor(shape) }
    await cpuPerRun(session, feeds, runsPerRound)
    if (other !== undefined) await cpuPerRun(other, otherFeeds!, runsPerRound)
    const mine: Array<number> = []
    const theirs: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      mine.push(await cpuPerRun(session, feeds, runsPerRound))
      if (other !== undefined) theirs.push(await cpuPerRun(other, otherFeeds!, runsPerRound))
    }
    const cpuUs = Math.round(median(mine))
    results.push(
      other === undefined
        ? { file, cpuUs }
        : { file, cpuUs, otherCpuUs: Math.round(median(theirs)), differing: compareOutputs(await session.run(feeds), await other.run(otherFeeds!)) }
    )
    await session.release()
    await other?.release()
  }
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const otherDir = process.argv[2]
  for (const run of await benchModelRuns("models", otherDir)) {
    const against =
      run.otherCpuUs === undefined
        ? ""
        : `, ${otherDir}: ${run.otherCpuUs} us (${run.differing!.values} of ${run.differing!.of} output values differ, by at most ${run.differing!.maxAbs})`
    console.log(`${run.file}: ${run.cpuUs} us CPU per run${against}`)
  }
}
