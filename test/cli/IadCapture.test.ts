/**
 * `iad-capture` as a user runs it (node bin/iad-capture.js, TypeScript through tsx): `--help` on
 * the program and on every subcommand exits 0 and describes each option; mistakes exit 2 with one
 * line saying what is wrong; a bad `--signals` file is named by its bad key in one short line and
 * no capture is written.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeTempDir } from "../support/TestServer.js"

const root = path.resolve(import.meta.dirname, "../..")
const image = path.join(root, "test/fixtures/jpeg/rgb.jpg")

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const cli = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, "bin/iad-capture.js"), ...args], { cwd: root }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

/** The options a command's help must describe, each on its own line followed by a description. */
const documented: Record<string, ReadonlyArray<string>> = {
  keygen: ["--out DIR", "--force"],
  build: ["--keys DIR", "--image FILE", "--signals FILE.json", "--captured-at WHEN", "--burst N", "--out FILE"],
  inspect: ["--keys DIR", "FILE"]
}

describe("iad-capture --help", () => {
  it("the program's help lists the three commands, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const run = await cli([flag])
      expect(run.code).toBe(0)
      for (const command of Object.keys(documented)) expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"))
    }
  }, 30_000)

  it("every subcommand's --help (and -h) exits 0 and describes each option", async () => {
    const runs = await Promise.all(Object.keys(documented).flatMap((command) => [cli([command, "--help"]), cli([command, "-h"])]))
    Object.keys(documented).forEach((command, i) => {
      for (const run of [runs[2 * i]!, runs[2 * i + 1]!]) {
        expect(run.code).toBe(0)
        expect(run.stderr).toBe("")
        expect(run.stdout).toMatch(new RegExp(`^usage: iad-capture ${command} `, "m"))
        for (const option of documented[command]!) {
          const line = run.stdout.split("\n").find((l) => l.startsWith(`  ${option} `))
          expect(line, `${command}: ${option}`).toBeDefined()
          expect(line!.slice(option.length + 2).trim().length, `${command}: ${option} has a description`).toBeGreaterThan(10)
        }
      }
    })
  }, 120_000)

  it("--help wins over missing required options (nothing is done)", async () => {
    const dir = makeTempDir()
    const run = await cli(["keygen", "--help", "--out", path.join(dir, "keys")])
    expect(run.code).toBe(0)
    expect(fs.existsSync(path.join(dir, "keys"))).toBe(false)
  }, 30_000)
})

describe("iad-capture mistakes", () => {
  it("an unknown option, a missing option or argument, a bad value or command: exit 2, one line naming it, then the usage", async () => {
    const [unknown, missing, positional, burst, command, nothing] = await Promise.all([
      cli(["keygen", "--bogus"]),
      cli(["build", "--keys", "k", "--out", "c"]),
      cli(["inspect", "--keys", "k"]),
      cli(["build", "--keys", "k", "--image", image, "--burst", "0", "--out", "c"]),
      cli(["frobnicate"]),
      cli([])
    ])
    for (const run of [unknown, missing, positional, burst, command, nothing]) expect(run.code).toBe(2)
    expect(unknown.stderr.split("\n")[0]).toMatch(/^iad-capture keygen: Unknown option '--bogus'/)
    expect(unknown.stderr).toMatch(/^usage: iad-capture keygen --out DIR \[--force\]/m)
    expect(missing.stderr.split("\n")[0]).toBe("iad-capture build: missing --image")
    expect(positional.stderr.split("\n")[0]).toBe("iad-capture inspect: missing FILE")
    expect(burst.stderr.split("\n")[0]).toBe("iad-capture build: --burst: not a positive integer: 0")
    expect(command.stderr.split("\n")[0]).toBe("iad-capture: unknown command 'frobnicate'")
    expect(nothing.stderr).toMatch(/^usage:/)
  }, 120_000)
})

describe("iad-capture build --signals with a bad file", () => {
  const keysDir = (() => {
    let made: Promise<string> | undefined
    return () =>
      (made ??= (async () => {
        const dir = path.join(makeTempDir(), "keys")
        expect((await cli(["keygen", "--out", dir])).code).toBe(0)
        return dir
      })())
  })()

  /** Builds with `signals` as the file's text; the capture must not be written. */
  const buildWith = async (signals: string) => {
    const dir = makeTempDir()
    const signalsFile = path.join(dir, "signals.json")
    fs.writeFileSync(signalsFile, signals)
    const out = path.join(dir, "capture.iad")
    const run = await cli(["build", "--keys", await keysDir(), "--image", image, "--signals", signalsFile, "--out", out])
    expect(fs.existsSync(out)).toBe(false)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(run.stderr.length).toBeLessThan(300)
    return run.stderr.replace(`${signalsFile}`, "FILE").trimEnd()
  }

  it("names the bad key in one short line: unknown, wrong type, out of range, in an array, not an object, not JSON", async () => {
    const answers = await Promise.all([
      buildWith(JSON.stringify({ device: { isEmulatorr: true } })),
      buildWith(JSON.stringify({ environment: { emulator: "yes" } })),
      buildWith(JSON.stringify({ faceScore: 2 })),
      buildWith(JSON.stringify({ motion: [[0, 0, 0, 9.8, 0, 0, "x"]] })),
      buildWith(JSON.stringify({ device: 5 })),
      buildWith(JSON.stringify([1])),
      buildWith("{ not json")
    ])
    expect(answers[0]).toMatch(/^iad-capture build: --signals FILE: device\.isEmulatorr: is unexpected, expected: "id" \| "manufacturer"/)
    expect(answers[1]).toBe(`iad-capture build: --signals FILE: environment.emulator: Expected boolean, actual "yes"`)
    expect(answers[2]).toBe("iad-capture build: --signals FILE: faceScore: Expected a number between 0 and 1, actual 2")
    expect(answers[3]).toBe(`iad-capture build: --signals FILE: motion[0][6]: Expected number, actual "x"`)
    expect(answers[4]).toBe("iad-capture build: --signals FILE: device: Expected an object, actual 5")
    expect(answers[5]).toBe("iad-capture build: --signals FILE: Expected an object, actual [1]")
    expect(answers[6]).toMatch(/^iad-capture build: --signals FILE: not JSON \(/)
  }, 120_000)

  it("a good signals file still builds a capture", async () => {
    const dir = makeTempDir()
    const signalsFile = path.join(dir, "signals.json")
    fs.writeFileSync(signalsFile, JSON.stringify({ environment: { emulator: true }, attestation: "missing" }))
    const out = path.join(dir, "capture.iad")
    const run = await cli(["build", "--keys", await keysDir(), "--image", image, "--signals", signalsFile, "--out", out])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(fs.statSync(out).size).toBeGreaterThan(1000)
  }, 30_000)
})
