/**
 * What can be checked of the Nix packaging without building it (no Nix cache here): every .nix
 * file parses, nix/defaults.nix equals the TypeScript defaults, the NixOS module has an option of
 * a matching type for every config key, and the package, container and unit use the names the
 * code uses (env variables, paths, scripts). Evaluation steps are skipped without nix-instantiate
 * (`.ci/nix-check.sh` installs Debian's nix-bin).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseByteSize } from "../../src/domain/ByteSize.js"
import { LicenseConfig } from "../../src/domain/LicenseConfig.js"
import { DEFAULT_TOLERANCE_SECONDS, ENABLED_VARIABLE, TOLERANCE_VARIABLE } from "../../src/domain/ReplayPolicy.js"
import { defaultConfig, EngineKind, LogConfig, LogLevelName, ServiceConfig } from "../../src/domain/ServiceConfig.js"
import { DetectionConfig } from "../../src/domain/DetectionConfig.js"
import { FaceThresholds } from "../../src/domain/FaceThresholds.js"
import { TlsConfig } from "../../src/domain/TlsConfig.js"
import { ADMIN_TOKEN_VARIABLE } from "../../src/http/AdminAuth.js"
import { CONFIG_PATH_VARIABLE } from "../../src/infra/ConfigStore.js"

const root = resolve(import.meta.dirname, "../..")
const read = (path: string) => readFileSync(join(root, path), "utf8")
const flake = read("flake.nix")
const moduleNix = read("nix/module.nix")
const packageNix = read("nix/package.nix")
const containerNix = read("nix/container.nix")
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>
  bin: Record<string, string>
  dependencies: Record<string, string>
}

const nixFiles = ["flake.nix", ...readdirSync(join(root, "nix")).filter((f) => f.endsWith(".nix")).map((f) => `nix/${f}`)]

// A store that is never opened: parsing and pure evaluation need neither /nix nor a daemon.
const nix = (...args: Array<string>) =>
  spawnSync("nix-instantiate", args, { cwd: root, encoding: "utf8", env: { ...process.env, NIX_REMOTE: "dummy://" } })
const hasNix = nix("--version").status === 0

/** The type expression of `name = opt <type> ...` or `name = mkOption { type = <type>; ... }`. */
const optionType = (source: string, name: string): string | undefined => {
  const short = new RegExp(`^\\s*${name} = opt (.+?) (?:d\\.|[a-z_]+ ")`, "m").exec(source)
  if (short !== null) return short[1]
  const long = new RegExp(`^\\s*${name} = mkOption \\{[^]*?type = (.+?);`, "m").exec(source)
  return long?.[1]
}

const structFields = (schema: { fields: Record<string, unknown> }) => Object.keys(schema.fields)
const licenseFields = structFields((LicenseConfig as unknown as { from: { fields: Record<string, unknown> } }).from)

describe("Nix files", () => {
  it.skipIf(!hasNix)("all parse with nix-instantiate --parse", () => {
    for (const file of nixFiles) {
      const result = nix("--parse", file)
      expect(result.status, `${file}: ${result.stderr}`).toBe(0)
    }
  })

  it.skipIf(!hasNix)("nix/defaults.nix equals the service defaults", () => {
    const result = nix("--eval", "--strict", "--json", "nix/defaults.nix")
    expect(result.status, result.stderr).toBe(0)
    const defaults = JSON.parse(result.stdout) as { config: unknown; license: Record<string, unknown>; replay: unknown }
    expect(defaults.config).toEqual(defaultConfig)
    const decoded = Schema.decodeUnknownSync(LicenseConfig)({ key: "k", product_id: "p", public_key_file: "f" })
    const { key: _k, product_id: _p, public_key_file: _f, ...licenseDefaults } = decoded
    expect(defaults.license).toEqual(licenseDefaults)
    expect(defaults.replay).toEqual({ enabled: false, tolerance_time: DEFAULT_TOLERANCE_SECONDS })
  })
})

describe("NixOS module options", () => {
  it("declares an option for every config key (license key/key_file come from licenseKeyFile)", () => {
    const keys = [
      ...structFields(ServiceConfig),
      ...structFields(LogConfig),
      ...structFields(FaceThresholds),
      ...structFields(DetectionConfig),
      ...structFields(TlsConfig),
      ...licenseFields.filter((k) => k !== "key" && k !== "key_file")
    ]
    const missing = keys.filter((key) => optionType(moduleNix, key) === undefined)
    expect(missing).toEqual([])
  })

  it("uses types that match the Schema", () => {
    const expected: Record<string, string> = {
      port: "types.port",
      address: "types.nonEmptyStr",
      number_of_threads: "types.ints.unsigned",
      engine_pool_size: "types.ints.positive",
      engine: `(types.enum [ ${EngineKind.literals.map((l) => `"${l}"`).join(" ")} ])`,
      engine_queue_timeout: "positiveNumber",
      client_max_body_size: "byteSize",
      keys_dir: "types.nonEmptyStr",
      idle_connection_timeout: "types.ints.unsigned",
      max_connections: "types.ints.unsigned",
      max_connections_per_ip: "types.ints.unsigned",
      max_upload_bytes_in_flight: "byteSize",
      cert_file: "absolutePath",
      key_file: "absolutePath",
      ca_file: "types.nullOr absolutePath",
      liveness_threshold: "probability",
      log_path: "types.str",
      log_level: `(types.enum [ ${LogLevelName.literals.map((l) => `"${l}"`).join(" ")} ])`,
      log_size_limit: "types.ints.positive",
      min_face_probability: "probability",
      max_face_frame_ratio: "(types.numbers.between 0 2)",
      max_yaw: "degrees",
      product_id: "types.nonEmptyStr",
      request_timeout: "positiveNumber",
      retry_interval: "positiveNumber",
      license_dir: "types.nonEmptyStr",
      deactivate_on_shutdown: "types.bool"
    }
    for (const [key, type] of Object.entries(expected)) expect(optionType(moduleNix, key), key).toBe(type)
    expect(moduleNix).toContain("probability = types.numbers.between 0 1;")
    expect(moduleNix).toContain("degrees = types.numbers.between 0 180;")
    expect(moduleNix).toContain("positiveNumber = types.numbers.positive;")
  })

  it("byteSize accepts what parseByteSize accepts", () => {
    const pattern = /byteSize = types\.strMatching "(.+)";/.exec(moduleNix)![1]!
    const regex = new RegExp(`^(?:${pattern.replaceAll("[[:space:]]", "\\s")})$`)
    for (const sample of ["", "1024", "1k", "10M", "1G", " 5m ", "1.5M", "10MB", "k", "-1", "1T"]) {
      expect(regex.test(sample), JSON.stringify(sample)).toBe(Either.isRight(parseByteSize(sample)))
    }
  })

  it("sets the environment the service reads, and the admin token only from a file", () => {
    for (const name of [ENABLED_VARIABLE, TOLERANCE_VARIABLE, CONFIG_PATH_VARIABLE, ADMIN_TOKEN_VARIABLE]) {
      expect(moduleNix).toContain(name)
    }
    expect(moduleNix).toContain(`"admin-token:\${cfg.adminTokenFile}"`)
    expect(moduleNix).toContain('"license-key:${cfg.licenseKeyFile}"')
    expect(moduleNix).toMatch(/install -m 0644 "\$CREDENTIALS_DIRECTORY\/license-key"/)
  })

  it("hardens the unit and keeps the firewall closed by default", () => {
    for (const line of [
      "DynamicUser = true;",
      'StateDirectory = "iad-service";',
      'ProtectSystem = "strict";',
      "PrivateTmp = true;",
      "NoNewPrivileges = true;",
      'RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];'
    ]) expect(moduleNix).toContain(line)
    expect(moduleNix).toMatch(/openFirewall = mkOption \{\s*type = types\.bool;\s*default = false;/)
    expect(moduleNix).toContain("networking.firewall.allowedTCPPorts = mkIf cfg.openFirewall [ cfg.settings.port ];")
  })
})

describe("package and container", () => {
  it("builds what the code loads and runs what npm start runs", () => {
    // The addon path the code requires, relative to src/infra/native.
    expect(read("src/infra/native/NativeAddon.ts")).toContain('"../../../build/Release/iad_native.node"')
    expect(packageNix).toContain("cp build/Release/iad_native.node $dest/build/Release/")
    expect(packageJson.scripts.start).toBe("node bin/iad-service.cjs")
    // The service runs compiled JavaScript: `npm run build` (npm ci's prepare) writes dist/.
    expect(read("bin/iad-service.cjs")).toContain('"dist", "main.js"')
    expect(packageJson.scripts["prepare"]).toBe("npm run build")
    expect(packageNix).toContain("npm run build\n")
    expect(packageNix).toMatch(/cp -r [^\n]* dist /)
    expect(packageNix).toContain('--add-flags "$dest/bin/iad-service.cjs"')
    for (const script of ["build:models", "build", "typecheck", "test"]) {
      expect(packageJson.scripts).toHaveProperty(script)
      expect(packageNix).toContain(`npm run ${script}`.replace("npm run test", "npm test"))
    }
    expect(packageJson.bin["iad-capture"]).toBe("bin/iad-capture.js")
    expect(packageNix).toContain('--add-flags "$dest/bin/iad-capture.js"')
    expect(packageNix).toContain("--nodedir=${nodejs}")
    expect(flake).toContain("nodejs = pkgs.nodejs_22;")
    // npm's own per-package policy keeps onnxruntime-node's downloading install script off (the
    // .npmrc key it replaced is deprecated); the Nix build sets the environment variable instead.
    expect(JSON.parse(read("package.json")).allowScripts).toMatchObject({ "onnxruntime-node": false })
    expect(read(".npmrc")).not.toMatch(/^\s*onnxruntime-node-install/m)
    expect(packageNix).toContain('ONNXRUNTIME_NODE_INSTALL = "skip";')
    expect(packageNix).not.toContain("npmDepsHash")
  })

  it("can give importNpmLock a registry URL for every locked package", () => {
    const lock = JSON.parse(read("package-lock.json")) as {
      packages: Record<string, { version?: string; integrity?: string; resolved?: string; link?: boolean }>
    }
    const entries = Object.entries(lock.packages).filter(([path]) => path !== "")
    expect(entries.length).toBeGreaterThan(0)
    for (const [path, entry] of entries) {
      expect(entry.link, path).toBeUndefined()
      expect(entry.integrity, path).toMatch(/^sha(256|384|512)-/)
      expect(entry.version, path).toMatch(/^\d+\.\d+\.\d+/)
      if (entry.resolved !== undefined) expect(entry.resolved, path).toMatch(/^https:\/\/registry\.npmjs\.org\//)
    }
  })

  it("describes an image like the vendor's", () => {
    expect(containerNix).toContain('ExposedPorts = { "6982/tcp" = { }; };')
    expect(containerNix).toMatch(/Volumes = \{ "\/app\/config" = \{ \}; "\/app\/license" = \{ \};/)
    expect(containerNix).toContain(`"${CONFIG_PATH_VARIABLE}=/app/config/config.json"`)
    expect(containerNix).toMatch(/User = "\$\{uid\}:\$\{uid\}";/)
    expect(containerNix).toContain('uid = "1000";')
    expect(containerNix).toContain("dockerTools.buildLayeredImage")
  })

  it("exposes the flake outputs the issue asks for", () => {
    for (const output of [
      "packages.${system}",
      "default = iad-service;",
      "iad-capture = ",
      "container = ",
      "apps.${system}",
      "checks.${system}",
      "nixosModules.default",
      "devShells.${system}.default"
    ]) expect(flake).toContain(output)
    for (const tool of ["pkgs.nodejs_22", "pkgs.python3", "pkgs.gcc", "pkgs.gnumake"]) expect(flake).toContain(tool)
    expect(existsSync(join(root, ".ci/nix-check.sh"))).toBe(true)
  })
})
