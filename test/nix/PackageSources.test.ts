/**
 * The Nix package builds from a source set (nix/package.nix `lib.fileset.unions`), not the whole
 * checkout. Its check phase type-checks and tests that set, so the set must hold everything the
 * sources import: copied alone into an empty folder, it passes `npm run typecheck`'s tsc calls.
 * (It once left out eval/, which a test imports: tsc failed with TS2307 on the package's files.)
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "../..")

/** The paths the package's fileset names, relative to the repository root. */
export const packageSourceSet = (): Array<string> => {
  const packageNix = readFileSync(join(root, "nix/package.nix"), "utf8")
  const unions = /fileset = lib\.fileset\.unions \[([^\]]*)\]/.exec(packageNix)
  if (unions === null) throw new Error("nix/package.nix: no lib.fileset.unions list")
  return [...unions[1]!.matchAll(/^\s*\.\.\/(\S+)\s*$/gm)].map((match) => match[1]!)
}

describe("the Nix package's source set", () => {
  it("names files that exist", () => {
    const paths = packageSourceSet()
    expect(paths).toContain("src")
    for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true)
  })

  it("type-checks on its own, as the package's check phase does", () => {
    const dir = mkdtempSync(join(tmpdir(), "iad-nix-src-"))
    try {
      for (const path of packageSourceSet()) cpSync(join(root, path), join(dir, path), { recursive: true })
      symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))
      const tsc = join(root, "node_modules/typescript/bin/tsc")
      for (const project of ["tsconfig.json", "sdk/web"]) {
        const result = spawnSync(process.execPath, [tsc, "--noEmit", "-p", project], { cwd: dir, encoding: "utf8" })
        expect(`${project}: ${result.stdout}${result.stderr}`.trim()).toBe(`${project}:`)
        expect(result.status).toBe(0)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
