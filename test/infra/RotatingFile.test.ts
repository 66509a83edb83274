import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { RotatingFile } from "../../src/infra/RotatingFile.js"
import { makeTempDir } from "../support/TestServer.js"

describe("log file rotation", () => {
  it("rotates by size and keeps five files", () => {
    const file = path.join(makeTempDir(), "nested", "service.log")
    const log = new RotatingFile(file, 100)
    for (let index = 0; index < 40; index++) log.write(`line ${String(index).padStart(2, "0")} ${"x".repeat(30)}\n`)
    log.close()
    expect(fs.statSync(file).size).toBeLessThanOrEqual(100)
    const rotated = fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith("service.log.")).sort()
    expect(rotated).toEqual(["service.log.1", "service.log.2", "service.log.3", "service.log.4"])
    expect(fs.readFileSync(file, "utf8")).toContain("line 39")
    expect(fs.readFileSync(`${file}.1`, "utf8")).toContain("line 37")
  })
})
