/**
 * A tampered model stops the service as `npm start` runs it: exit code 1 and a log line naming the
 * file. The service reads the models of its own package, so the test runs a copy of the package
 * (bin/ and the compiled dist/ copied, node_modules and the built addon linked) whose `models/` it tampers with.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeTempDir } from "../support/TestServer.js"

const root = path.resolve(import.meta.dirname, "../..")

/** A copy of the package whose `models/` can be changed without touching the real one. */
const copyPackage = (): string => {
  const dir = makeTempDir()
  for (const entry of ["bin", "dist", "models"]) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true })
  for (const file of ["package.json", "tsconfig.json"]) fs.copyFileSync(path.join(root, file), path.join(dir, file))
  for (const entry of ["node_modules", "build"]) fs.symlinkSync(fs.realpathSync(path.join(root, entry)), path.join(dir, entry))
  return dir
}

/** Runs the service of the package in `packageDir` until it exits; its exit code and whole log. */
const runService = (packageDir: string): Promise<{ code: number | null; log: string }> => {
  const dir = makeTempDir()
  const configPath = path.join(dir, "config.json")
  fs.writeFileSync(configPath, JSON.stringify({ port: 0, address: "127.0.0.1", keys_dir: path.join(dir, "keys"), engine_pool_size: 1 }))
  const child = spawn(process.execPath, [path.join(packageDir, "bin/iad-service.cjs")], {
    cwd: dir,
    env: { ...process.env, FACEPHI_IAD_CONFIG: configPath },
    stdio: ["ignore", "pipe", "pipe"]
  })
  return new Promise((resolve, reject) => {
    let log = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`still running after 60 s:\n${log}`))
    }, 60_000)
    child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()))
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, log })
    })
  })
}

describe("bin/iad-service.cjs with a tampered model", () => {
  it("iris.onnx copied over blazeface.onnx: exits 1 and the log names blazeface.onnx", async () => {
    const packageDir = copyPackage()
    const models = path.join(packageDir, "models")
    fs.copyFileSync(path.join(models, "iris.onnx"), path.join(models, "blazeface.onnx"))
    const { code, log } = await runService(packageDir)
    expect(code).toBe(1)
    const failure = log.split("\n").find((line) => line.includes("cannot start"))
    expect(failure).toContain(path.join(models, "blazeface.onnx"))
    expect(failure).toMatch(/cannot start: face models: face worker did not start: .*truncated or replaced.*npm run build:models/)
    expect(log).not.toMatch(/service started/)
  }, 90_000)
})
