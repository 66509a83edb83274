/**
 * Photos shipped by Debian packages, found at their Debian paths. When a package is not installed,
 * its .deb is fetched with `apt-get download` (the ordinary client, from the configured Debian
 * archive) and unpacked with `dpkg-deb -x` under `.cache/debian-photos/<package>/`, where the same
 * paths hold the same files. Unpacking rather than installing: python3-skimage alone would pull 61
 * packages (scipy, matplotlib, boost headers) for 30 pictures. Nothing is downloaded at run time of
 * the service; this runs when the evaluation or the tests assemble their photos.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs"
import { join } from "node:path"

/** The Debian packages the evaluation takes photos from, each with the folder that holds them. */
export const debianPhotoPackages = {
  "python3-skimage": "/usr/lib/python3/dist-packages/skimage/data",
  "mate-backgrounds": "/usr/share/backgrounds/mate",
  "gnome-backgrounds": "/usr/share/backgrounds/gnome"
} as const
export type DebianPhotoPackage = keyof typeof debianPhotoPackages

const cacheRoot = join(import.meta.dirname, "..", "..", ".cache", "debian-photos")

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] })

/**
 * Downloads and unpacks in a folder of this process, then renames it into place: test files run in
 * parallel workers may unpack the same package at once, and the first rename wins.
 */
const unpack = (pkg: DebianPhotoPackage): string => {
  const root = join(cacheRoot, pkg)
  const work = join(cacheRoot, `${pkg}.${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(join(work, "root"), { recursive: true })
  try {
    try {
      run("apt-get", ["download", pkg], work)
    } catch {
      // A fresh machine has no package lists yet: `apt-get update` once (needs root), then again.
      run("apt-get", ["update"], work)
      run("apt-get", ["download", pkg], work)
    }
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"))
    if (deb === undefined) throw new Error(`apt-get download ${pkg} left no .deb`)
    run("dpkg-deb", ["-x", join(work, deb), join(work, "root")], work)
    try {
      renameSync(join(work, "root"), root)
    } catch (cause) {
      if (!existsSync(root)) throw cause
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return root
}

/** The folder on this machine that holds `pkg`'s photos (installed, cached, or unpacked now). */
export const debianPhotoDir = (pkg: DebianPhotoPackage): string => {
  const installed = debianPhotoPackages[pkg]
  if (existsSync(installed)) return installed
  const cached = join(cacheRoot, pkg, installed)
  if (existsSync(cached)) return cached
  return join(unpack(pkg), installed)
}
