/**
 * The reference SDK as a package, tested from its tarball: `npm pack` of packages/iad-capture,
 * `npm install ./iad-capture-x.y.z.tgz` in an empty folder (dependencies from the npm registry or
 * its cache), then its CLI and its library build captures that the running service (native engine,
 * real models, real HTTP) answers.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import * as F from "../fixtures/face/faceFrames.js"
import { makeTempDir, postCapture, RunningServer, testServerLayer } from "../support/TestServer.js"

const packageDir = join(import.meta.dirname, "..", "..", "packages", "iad-capture")

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  promisify(execFile)(command, [...args], { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stderr, stdout }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : -1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? ""
    })
  )

const succeed = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
  return result
}

interface Installed {
  readonly tarball: string
  /** The empty folder the tarball was installed into. */
  readonly consumer: string
  readonly frame: string
}

/** Packs and installs once for the whole file (the build and the install take a while). */
let installed: Promise<Installed> | undefined
const install = () =>
  Effect.promise(() =>
    (installed ??= (async () => {
      const out = await mkdtemp(join(tmpdir(), "iad-pack-"))
      await succeed("npm", ["pack", "--pack-destination", out], packageDir)
      const tarballName = (await readdir(out)).find((name) => /^iad-capture-\d+\.\d+\.\d+\.tgz$/.test(name))
      if (tarballName === undefined) throw new Error("npm pack wrote no iad-capture-x.y.z.tgz")
      const consumer = await mkdtemp(join(tmpdir(), "iad-consumer-"))
      await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
      await succeed("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(out, tarballName)], consumer)
      const frame = join(consumer, "face.jpg")
      await writeFile(frame, await F.framedFace(F.frontalFace, 300, F.FRAME_WIDTH / 2, F.FRAME_HEIGHT / 2))
      return { tarball: join(out, tarballName), consumer, frame }
    })())
  )

const dir = makeTempDir()
const keysDir = join(dir, "keys")
const server = testServerLayer({ dir, config: { engine: "native", keys_dir: keysDir, engine_pool_size: 1 } })

const evaluate = (bytes: Uint8Array) =>
  Effect.gen(function*() {
    const { url } = yield* RunningServer
    return yield* postCapture(`${url}/liveness/evaluate`, bytes)
  })

layer(server, { timeout: 300_000 })("the packed reference SDK (npm pack, installed in an empty folder)", (it) => {
  it.effect("the tarball holds the compiled SDK, its CLI and types, and nothing of the service", () =>
    Effect.gen(function*() {
      const { tarball } = yield* install()
      const listing = (yield* Effect.promise(() => succeed("tar", ["tzf", tarball], tmpdir()))).stdout.trim().split("\n")
      expect(listing).toEqual(
        expect.arrayContaining([
          "package/package.json",
          "package/README.md",
          "package/bin/iad-capture.js",
          "package/dist/capture/index.js",
          "package/dist/capture/index.d.ts",
          "package/dist/cli/iad-capture.js"
        ])
      )
      expect(listing.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([])
      expect(listing.filter((file) => /\.node$|models\/|\/test\/|\/domain\/|\/http\//.test(file))).toEqual([])
    }), 300_000)

  it.effect("its CLI builds a capture that the service answers Live", () =>
    Effect.gen(function*() {
      const { consumer, frame } = yield* install()
      const out = join(consumer, "cli.iad")
      const built = yield* Effect.promise(() =>
        run(join(consumer, "node_modules", ".bin", "iad-capture"), ["build", "--keys", keysDir, "--image", frame, "--burst", "3", "--out", out], consumer)
      )
      expect(built).toMatchObject({ code: 0, stderr: "" })
      const answer = yield* evaluate(yield* Effect.promise(() => readFile(out)))
      expect(answer).toMatchObject({ status: 200, body: { diagnostic: "Live", reason: "None" } })
    }), 300_000)

  it.effect("its library builds captures that the service answers, signals included", () =>
    Effect.gen(function*() {
      const { consumer, frame } = yield* install()
      const script = join(consumer, "build.mjs")
      yield* Effect.promise(() =>
        writeFile(
          script,
          [
            `import { readFile, writeFile } from "node:fs/promises"`,
            `import { buildCapture } from "iad-capture"`,
            `const [keysDir, frame, out, signals] = process.argv.slice(2)`,
            `const bytes = await buildCapture({ keysDir, frames: [await readFile(frame)], burst: 3, signals: JSON.parse(signals) })`,
            `await writeFile(out, bytes)`
          ].join("\n")
        )
      )
      const build = (name: string, signals: unknown) =>
        Effect.gen(function*() {
          const out = join(consumer, name)
          const result = yield* Effect.promise(() => run("node", [script, keysDir, frame, out, JSON.stringify(signals)], consumer))
          expect(result).toMatchObject({ code: 0, stderr: "" })
          return yield* Effect.promise(() => readFile(out))
        })
      expect(yield* evaluate(yield* build("genuine.iad", {}))).toMatchObject({ status: 200, body: { diagnostic: "Live", reason: "None" } })
      expect(yield* evaluate(yield* build("emulator.iad", { environment: { emulator: true } }))).toMatchObject({
        status: 200,
        body: { diagnostic: "NoLive", reason: "UntrustedEnvironment" }
      })
    }), 300_000)

  it.effect("bad input: a frame that is not a JPEG fails the CLI with a message; inspect needs the service's addon", () =>
    Effect.gen(function*() {
      const { consumer } = yield* install()
      const cli = join(consumer, "node_modules", ".bin", "iad-capture")
      yield* Effect.promise(() => writeFile(join(consumer, "not.jpg"), "GIF89a"))
      const build = (image: string, out: string) => ["build", "--keys", keysDir, "--image", join(consumer, image), "--out", join(consumer, out)]
      const bad = yield* Effect.promise(() => run(cli, build("not.jpg", "x.iad"), consumer))
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/^iad-capture build: /)
      // The C++ engine is the service's, not the SDK's: outside the service's checkout `inspect` says what is missing.
      yield* Effect.promise(() => succeed(cli, build("face.jpg", "y.iad"), consumer))
      const inspect = yield* Effect.promise(() => run(cli, ["inspect", "--keys", keysDir, join(consumer, "y.iad")], consumer))
      expect(inspect.code).toBe(1)
      expect(inspect.stderr).toContain("iad_native.node")
    }), 300_000)
})
