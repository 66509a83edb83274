/**
 * The layering of docs/architecture.md, checked on the sources: the domain imports nothing from
 * infra or http (it holds the decision and the ports), infra nothing from http.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../../src")

const sourcesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? sourcesUnder(full) : /\.(ts|mts|mjs)$/.test(entry.name) ? [full] : []
  })

/** Every relative import of a file, resolved to a path under src/. */
const importsOf = (file: string): Array<string> => {
  const text = fs.readFileSync(file, "utf8")
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) => match[1]!)
  return specifiers.map((specifier) => path.relative(root, path.resolve(path.dirname(file), specifier)))
}

const violations = (layer: string, forbidden: ReadonlyArray<string>) =>
  sourcesUnder(path.join(root, layer)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((name) => target === name || target.startsWith(`${name}/`)))
      .map((target) => `${path.relative(root, file)} -> ${target}`)
  )

describe("layering", () => {
  it("finds the imports it checks (the scan itself works)", () => {
    expect(importsOf(path.join(root, "App.ts")).some((target) => target.startsWith("infra/"))).toBe(true)
  })
  it("src/domain imports nothing from src/infra or src/http", () => {
    expect(violations("domain", ["infra", "http"])).toEqual([])
  })
  it("src/infra imports nothing from src/http", () => {
    expect(violations("infra", ["http"])).toEqual([])
  })
  it("src imports effect and @effect/platform modules by their own paths, never a package's index", () => {
    // An index loads every module of its package: @effect/platform's brings HttpApiScalar's 12 MB
    // of embedded JavaScript strings into the service's thread and each face worker (~90 MB of RSS
    // in all), effect's about 175 modules the service does not use (~10 MB).
    const barrel = /from\s+["'](?:effect|@effect\/platform(?:-node)?)["']/
    const offenders = sourcesUnder(root).filter((file) => barrel.test(fs.readFileSync(file, "utf8")))
    expect(offenders.map((file) => path.relative(root, file))).toEqual([])
  })
})
