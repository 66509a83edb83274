/**
 * `iad-capture`: the reference capture SDK on the command line.
 *   keygen  --out DIR [--force]
 *   build   --keys DIR --image FILE [--image FILE ...] [--signals FILE.json]
 *           [--captured-at ISO8601|epoch-ms] [--burst N] [--platform web --session-token HEX] --out FILE
 *   inspect --keys DIR FILE
 */
import { readFile, writeFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { createHash } from "node:crypto"
import { buildCapture } from "../capture/BuildCapture.js"
import { generateKeys, keyFiles, loadEngineKeys } from "../capture/KeysDir.js"
import { loadNativeAddon } from "../infra/native/NativeAddon.js"

const usage = `usage:
  iad-capture keygen  --out DIR [--force]
  iad-capture build   --keys DIR --image FILE [--image FILE ...] [--signals FILE.json]
                      [--captured-at ISO8601|epoch-ms] [--burst N] [--platform web --session-token HEX] --out FILE
  iad-capture inspect --keys DIR FILE`

class UsageError extends Error {}

const required = (value: string | undefined, flag: string): string => {
  if (value === undefined || value === "") throw new UsageError(`missing --${flag}`)
  return value
}

const parseCapturedAt = (raw: string): number => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isSafeInteger(ms)) throw new UsageError(`--captured-at: not an ISO 8601 date or epoch ms: ${raw}`)
  return ms
}

/** `--platform` and `--session-token` override the signals file (a web capture is then unsigned). */
const withWebFlags = (signals: unknown, platform: string | undefined, sessionToken: string | undefined): unknown => {
  if (platform === undefined && sessionToken === undefined) return signals
  if (sessionToken !== undefined && !/^([0-9a-fA-F]{2})+$/.test(sessionToken))
    throw new UsageError("--session-token needs hex bytes")
  const base = typeof signals === "object" && signals !== null ? (signals as Record<string, unknown>) : {}
  const sdk = typeof base["sdk"] === "object" && base["sdk"] !== null ? base["sdk"] : {}
  return {
    ...base,
    ...(platform === undefined ? {} : { sdk: { ...sdk, platform } }),
    ...(sessionToken === undefined ? {} : { sessionToken: sessionToken.toLowerCase() })
  }
}

const keygen = async (args: Array<string>) => {
  const { values } = parseArgs({ args, options: { out: { type: "string" }, force: { type: "boolean" } } })
  const dir = required(values.out, "out")
  await generateKeys(dir, { overwrite: values.force === true })
  console.log(`keys written to ${dir}: ${Object.values(keyFiles).join(", ")} (private keys mode 0600)`)
}

const build = async (args: Array<string>) => {
  const { values } = parseArgs({
    args,
    options: {
      keys: { type: "string" },
      image: { type: "string", multiple: true },
      signals: { type: "string" },
      "captured-at": { type: "string" },
      burst: { type: "string" },
      platform: { type: "string" },
      "session-token": { type: "string" },
      out: { type: "string" }
    }
  })
  const images = values.image ?? []
  if (images.length === 0) throw new UsageError("at least one --image")
  const burst = values.burst === undefined ? undefined : Number(values.burst)
  if (burst !== undefined && !(Number.isInteger(burst) && burst >= 1)) throw new UsageError("--burst N needs a positive integer")
  const fromFile = values.signals === undefined ? undefined : JSON.parse(await readFile(values.signals, "utf8"))
  const signals = withWebFlags(fromFile, values.platform, values["session-token"])
  const capture = await buildCapture({
    keysDir: required(values.keys, "keys"),
    frames: await Promise.all(images.map((file) => readFile(file))),
    ...(signals === undefined ? {} : { signals }),
    ...(values["captured-at"] === undefined ? {} : { capturedAt: parseCapturedAt(values["captured-at"]) }),
    ...(burst === undefined ? {} : { burst })
  })
  const out = required(values.out, "out")
  await writeFile(out, capture)
  console.log(`capture written to ${out} (${capture.length} bytes)`)
}

const inspect = async (args: Array<string>) => {
  const { values, positionals } = parseArgs({ args, options: { keys: { type: "string" } }, allowPositionals: true })
  const file = positionals[0]
  if (file === undefined) throw new UsageError("inspect needs a capture FILE")
  const addon = loadNativeAddon()
  const engine = new addon.Engine(await loadEngineKeys(required(values.keys, "keys")))
  const result = await engine.open(await readFile(file))
  if (!result.ok) {
    console.log(JSON.stringify({ ok: false, code: result.codeName, tag: result.tag }, null, 2))
    process.exitCode = 1
    return
  }
  const capture = result.capture as {
    frames: Array<{ offsetMs: number; jpeg: Uint8Array }>
    activity: { motion: Float32Array; touches: Float32Array }
    createdAt: number
  } & Record<string, unknown>
  const summary = {
    ok: true,
    ...capture,
    createdAtIso: new Date(capture.createdAt).toISOString(),
    // No image bytes: size and digest identify each frame.
    frames: capture.frames.map((f) => ({
      offsetMs: f.offsetMs,
      bytes: f.jpeg.length,
      sha256: createHash("sha256").update(f.jpeg).digest("hex")
    })),
    activity: { motionSamples: capture.activity.motion.length / 7, touches: capture.activity.touches.length / 4 },
    integrity: result.integrity
  }
  console.log(JSON.stringify(summary, null, 2))
}

const commands: Record<string, (args: Array<string>) => Promise<void>> = { keygen, build, inspect }

const main = async () => {
  const [name, ...rest] = process.argv.slice(2)
  const command = name === undefined ? undefined : commands[name]
  if (command === undefined) {
    console.error(usage)
    process.exitCode = 2
    return
  }
  try {
    await command(rest)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`iad-capture ${name}: ${message}`)
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) console.error(usage)
    process.exitCode = error instanceof UsageError ? 2 : 1
  }
}

await main()
