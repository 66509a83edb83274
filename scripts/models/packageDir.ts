/** Where an installed package lives; works for packages whose `exports` hide `package.json`. */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

const require = createRequire(import.meta.url)

export const packageDir = (name: string): string => {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name)
    if (existsSync(join(dir, "package.json"))) return dir
  }
  throw new Error(`package ${name} is not installed`)
}
