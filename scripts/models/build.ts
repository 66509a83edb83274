/**
 * Build step (run by `npm ci` through the `postinstall` script): converts the face models that the
 * installed `@vladmandic/human` package ships as TF.js graphs into ONNX files under `models/`, then
 * writes `models/manifest.json` with their SHA-256 digests, which start-up checks.
 * Generated weights are never committed; nothing is downloaded. Every file is written to a
 * temporary name and renamed, so an interrupted build never leaves a half-written file behind.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { digestOf, faceModelFiles, manifestFileName, type ModelDigest, type ModelManifest } from "../../src/infra/face/ModelManifest.js"
import { packageDir } from "./packageDir.js"
import { readTfjsGraph } from "./TfjsGraph.js"
import { convertTfjsGraph } from "./TfjsToOnnx.js"

/** The models the face analyzer loads, by the name of their TF.js graph (the file is `<name>.onnx`). */
export const faceModelNames = faceModelFiles.map((file) => basename(file, ".onnx"))

/**
 * Models the analyzer runs at more than one input size: the detector takes the frame at its own
 * aspect (256x192 for 16:9, wider when a face is cut; FaceDetection.ts). FaceMesh and Iris always
 * run at their trained 192 and 64 px, which their converted inputs then fix (ConvertOptions).
 */
const freeSizeModels = new Set(["blazeface"])

export const humanModelsDir = (): string => join(packageDir("@vladmandic/human"), "models")

const humanVersion = (): string => {
  const manifest: unknown = JSON.parse(readFileSync(join(packageDir("@vladmandic/human"), "package.json"), "utf8"))
  return typeof manifest === "object" && manifest !== null && "version" in manifest ? String(manifest.version) : "unknown"
}

const writeAtomically = (target: string, bytes: Uint8Array | string) => {
  const temporary = `${target}.${process.pid}.tmp`
  writeFileSync(temporary, bytes)
  renameSync(temporary, target)
}

export const buildFaceModels = (outDir: string): Array<string> => {
  mkdirSync(outDir, { recursive: true })
  const digests: Record<string, ModelDigest> = {}
  const lines = faceModelNames.map((name) => {
    const graph = readTfjsGraph(join(humanModelsDir(), `${name}.json`))
    const converted = convertTfjsGraph(graph, name, { freeSpatialSize: freeSizeModels.has(name) })
    const target = join(outDir, `${name}.onnx`)
    writeAtomically(target, converted.bytes)
    digests[`${name}.onnx`] = digestOf(converted.bytes)
    return `${target} (${(converted.bytes.length / 1024).toFixed(0)} KiB, in ${converted.inputName}, out ${converted.outputNames.join(",")})`
  })
  // Written last: a manifest exists only for a complete set of models.
  const manifest: ModelManifest = { generator: `scripts/models/build.ts from @vladmandic/human ${humanVersion()}`, models: digests }
  const manifestPath = join(outDir, manifestFileName)
  writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
  return [...lines, `${manifestPath} (SHA-256 of ${Object.keys(digests).length} models)`]
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models")
  for (const line of buildFaceModels(outDir)) console.log(`face model: ${line}`)
}
