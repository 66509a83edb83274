/** Runs the independent Python encoder and client of examples/python as a user would. */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"

export const pythonDir = join(import.meta.dirname, "..", "..", "examples", "python")

export interface PythonRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `python3 examples/python/<script> ...args`; a non-zero exit is a result, not an exception. */
export const runPython = (script: string, args: ReadonlyArray<string>): Promise<PythonRun> =>
  promisify(execFile)("python3", [join(pythonDir, script), ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stderr, stdout }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : -1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? ""
    })
  )
