/**
 * Build step (run by `npm ci` through the `postinstall` script): converts the face models that the
 * installed `@vladmandic/human` package ships as TF.js graphs into ONNX files under `models/`.
 * Generated weights are never committed; nothing is downloaded.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { packageDir } from "./packageDir.js"
import { readTfjsGraph } from "./TfjsGraph.js"
import { convertTfjsGraph } from "./TfjsToOnnx.js"

/** The models the face analyzer loads, by the file name it expects. */
export const faceModelNames = ["blazeface", "facemesh", "iris"] as const

export const humanModelsDir = (): string => join(packageDir("@vladmandic/human"), "models")

export const buildFaceModels = (outDir: string): Array<string> => {
  mkdirSync(outDir, { recursive: true })
  return faceModelNames.map((name) => {
    const converted = convertTfjsGraph(readTfjsGraph(join(humanModelsDir(), `${name}.json`)), name)
    const target = join(outDir, `${name}.onnx`)
    writeFileSync(target, converted.bytes)
    return `${target} (${(converted.bytes.length / 1024).toFixed(0)} KiB, in ${converted.inputName}, out ${converted.outputNames.join(",")})`
  })
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models")
  for (const line of buildFaceModels(outDir)) console.log(`face model: ${line}`)
}
