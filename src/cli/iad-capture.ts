/**
 * `iad-capture`: the reference capture SDK on the command line (`keygen`, `build`, `inspect`).
 * `iad-capture --help` lists the commands; `iad-capture COMMAND --help` describes each option.
 * Exit codes: 0 done, 1 the work failed, 2 the command was called wrongly.
 */
import { createHash } from "node:crypto"
import { readFile, writeFile } from "node:fs/promises"
import { type CommandSpec, commandHelp, type ParsedCommand, parseCommand, usageLine, UsageError } from "./CommandLine.js"
import { SignalsFileError } from "./SignalsFileError.js"

// Each command loads what it needs when it runs (the SDK, sharp, the addon: about a second), so
// that --help and usage mistakes answer at once.

const program = "iad-capture"
const keysOption = { type: "string", value: "DIR", required: true, description: "keys folder written by `keygen` (the service's keys_dir)" } as const

const keygenSpec: CommandSpec = {
  name: "keygen",
  summary: "Writes a new key set as PEM files.",
  details: "Service X25519, SDK and attestation Ed25519 keys, usable as the service's keys_dir and by `build`.\nPrivate keys are written mode 0600.",
  options: {
    out: { type: "string", value: "DIR", required: true, description: "folder to write the keys into (created if missing)" },
    force: { type: "boolean", description: "overwrite keys already in DIR (otherwise refused)" }
  }
}

const buildSpec: CommandSpec = {
  name: "build",
  summary: "Builds an encrypted, signed capture from JPEG frames.",
  details: "As the reference SDK does on a device. Without --burst the frames are the files as given; the\nmiddle one is the best frame.",
  options: {
    keys: keysOption,
    image: { type: "string", value: "FILE", required: true, multiple: true, description: "a JPEG frame; repeat for more frames, in order" },
    signals: {
      type: "string",
      value: "FILE.json",
      description: "overrides of documented signals (docs/capture-format.md); unknown keys are refused, what is left out looks genuine"
    },
    "captured-at": { type: "string", value: "WHEN", description: "capture time, ISO 8601 or epoch ms (default: now)" },
    burst: { type: "string", value: "N", description: "simulated burst for tests: each image becomes N distinct frames (N >= 1)" },
    platform: { type: "string", value: "NAME", description: "the SDK platform to declare, e.g. `web` (a web capture carries a session token and no SDK signature)" },
    "session-token": { type: "string", value: "HEX", description: "a server-issued session token to carry (hex bytes), as the browser SDK does" },
    out: { type: "string", value: "FILE", required: true, description: "where to write the capture" }
  }
}

const inspectSpec: CommandSpec = {
  name: "inspect",
  summary: "Opens a capture with the service's keys and prints a JSON summary.",
  details: "The contents and integrity facts, without image bytes (each frame's size and SHA-256).\nExit 1 when the capture does not open.",
  options: { keys: keysOption },
  positional: { name: "FILE", description: "the capture to open" }
}

const parseCapturedAt = (raw: string): number => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isSafeInteger(ms)) throw new UsageError(`--captured-at: not an ISO 8601 date or epoch ms: ${raw}`)
  return ms
}

const parseBurst = (raw: string): number => {
  const burst = Number(raw)
  if (!(/^\d+$/.test(raw) && Number.isSafeInteger(burst) && burst >= 1)) throw new UsageError(`--burst: not a positive integer: ${raw}`)
  return burst
}

const keygen = async (args: ParsedCommand) => {
  const { generateKeys, keyFiles } = await import("../capture/KeysDir.js")
  const dir = args.string("out")!
  await generateKeys(dir, { overwrite: args.flag("force") })
  console.log(`keys written to ${dir}: ${Object.values(keyFiles).join(", ")} (private keys mode 0600)`)
}

/** `--platform` and `--session-token` over the signals file (a web capture is then unsigned). */
const withWebFlags = (signals: unknown, platform: string | undefined, sessionToken: string | undefined): unknown => {
  if (platform === undefined && sessionToken === undefined) return signals
  if (sessionToken !== undefined && !/^([0-9a-fA-F]{2})+$/.test(sessionToken)) throw new UsageError("--session-token: needs hex bytes")
  const base = typeof signals === "object" && signals !== null ? (signals as Record<string, unknown>) : {}
  const sdk = typeof base["sdk"] === "object" && base["sdk"] !== null ? base["sdk"] : {}
  return {
    ...base,
    ...(platform === undefined ? {} : { sdk: { ...sdk, platform } }),
    ...(sessionToken === undefined ? {} : { sessionToken: sessionToken.toLowerCase() })
  }
}

const build = async (args: ParsedCommand) => {
  const capturedAt = args.string("captured-at")
  const burst = args.string("burst")
  const signalsFile = args.string("signals")
  const platform = args.string("platform")
  const sessionToken = args.string("session-token")
  // Arguments are checked before the SDK loads, so a mistake is answered at once.
  const { readSignalsFile } = await import("./SignalsFile.js")
  const fromFile = signalsFile === undefined ? undefined : await readSignalsFile(signalsFile)
  const signals = withWebFlags(fromFile, platform, sessionToken)
  const options = {
    ...(capturedAt === undefined ? {} : { capturedAt: parseCapturedAt(capturedAt) }),
    ...(burst === undefined ? {} : { burst: parseBurst(burst) }),
    ...(signals === undefined ? {} : { signals })
  }
  const { buildCapture } = await import("../capture/BuildCapture.js")
  const capture = await buildCapture({
    keysDir: args.string("keys")!,
    frames: await Promise.all(args.strings("image").map((file) => readFile(file))),
    ...options
  })
  const out = args.string("out")!
  await writeFile(out, capture)
  console.log(`capture written to ${out} (${capture.length} bytes)`)
}

const inspect = async (args: ParsedCommand) => {
  const { loadEngineKeys } = await import("../capture/KeysDir.js")
  const { loadNativeAddon } = await import("../infra/native/NativeAddon.js")
  const addon = loadNativeAddon()
  const engine = new addon.Engine(await loadEngineKeys(args.string("keys")!))
  const result = await engine.open(await readFile(args.positional!))
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

const commands: ReadonlyArray<{ readonly spec: CommandSpec; readonly run: (args: ParsedCommand) => Promise<void> }> = [
  { spec: keygenSpec, run: keygen },
  { spec: buildSpec, run: build },
  { spec: inspectSpec, run: inspect }
]

const programHelp = [
  "usage:",
  ...commands.map(({ spec }) => `  ${usageLine(program, spec)}`),
  "",
  "commands:",
  ...commands.map(({ spec }) => `  ${spec.name.padEnd(9)}${spec.summary}`),
  "",
  `\`${program} COMMAND --help\` describes a command's options.`
].join("\n")

const main = async () => {
  const [name, ...rest] = process.argv.slice(2)
  if (name === "--help" || name === "-h" || name === "help") return console.log(programHelp)
  const command = commands.find(({ spec }) => spec.name === name)
  if (command === undefined) {
    console.error(name === undefined ? programHelp : `${program}: unknown command '${name}'\n\n${programHelp}`)
    process.exitCode = 2
    return
  }
  try {
    const args = parseCommand(command.spec, rest)
    if (args.help) return console.log(commandHelp(program, command.spec))
    await command.run(args)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`${program} ${command.spec.name}: ${message}`)
    if (error instanceof UsageError) console.error(`usage: ${usageLine(program, command.spec)} (--help describes the options)`)
    process.exitCode = error instanceof UsageError || error instanceof SignalsFileError ? 2 : 1
  }
}

await main()
