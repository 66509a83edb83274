// `npm run demo`: the service with the demo page on, bound to loopback only.
// Its configuration is config/demo.json (created on first run, kept apart from config/config.json);
// FACEPHI_IAD_ADDRESS=127.0.0.1 wins over whatever that file says, so the demo never listens on
// other interfaces. The page: http://127.0.0.1:<port>/api/v1/iad/demo
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const configPath = process.env.FACEPHI_IAD_CONFIG?.trim() || join(root, "config", "demo.json")
if (!existsSync(configPath)) {
  mkdirSync(dirname(configPath), { recursive: true })
  writeFileSync(configPath, JSON.stringify({ engine: "native", demo: { enabled: true } }, null, 2) + "\n", { mode: 0o600 })
}
let port = 6982
try {
  const config = JSON.parse(readFileSync(configPath, "utf8"))
  if (Number.isInteger(config.port)) port = config.port
} catch {
  // The service reports a bad file itself.
}
if (process.env.FACEPHI_IAD_PORT !== undefined) port = Number(process.env.FACEPHI_IAD_PORT)
process.stdout.write(`iad demo: http://127.0.0.1:${port}/api/v1/iad/demo (config ${configPath})\n`)

const child = spawn(process.execPath, [join(root, "bin", "iad-service.cjs")], {
  stdio: "inherit",
  env: { ...process.env, FACEPHI_IAD_CONFIG: configPath, FACEPHI_IAD_ADDRESS: "127.0.0.1" }
})
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128)
})
