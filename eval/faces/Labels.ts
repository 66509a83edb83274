/**
 * The labelled photos of `npm run eval:faces` (labels.json beside this file), decoded and resolved
 * to files on this machine: npm packages from node_modules, Debian packages at their Debian paths
 * (or unpacked from the .deb, see DebianPhotos.ts).
 */
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { FaceMessage } from "../../src/domain/PublicMessages.js"
import { packageDir } from "../../scripts/models/packageDir.js"
import { debianPhotoDir } from "./DebianPhotos.js"
import { Recipe } from "./Frames.js"

export const Answer = Schema.Union(Schema.Literal("Live"), FaceMessage)
export type Answer = typeof Answer.Type

export const LabelledPhoto = Schema.Struct({
  id: Schema.String,
  /** `<source key>:<file>`, the key naming a package in `sources`. */
  source: Schema.String,
  label: Answer,
  split: Schema.Literal("tune", "held-out"),
  note: Schema.String,
  recipe: Recipe
})
export type LabelledPhoto = typeof LabelledPhoto.Type

const LabelsFile = Schema.Struct({ photos: Schema.Array(LabelledPhoto) })

export const loadLabels = (): ReadonlyArray<LabelledPhoto> =>
  Schema.decodeUnknownSync(LabelsFile)(JSON.parse(readFileSync(join(import.meta.dirname, "labels.json"), "utf8"))).photos

/** Where the source keys of labels.json live on this machine. */
const folders: Record<string, () => string> = {
  "face-api": () => join(packageDir("@vladmandic/face-api"), "demo"),
  skimage: () => debianPhotoDir("python3-skimage"),
  mate: () => debianPhotoDir("mate-backgrounds"),
  gnome: () => debianPhotoDir("gnome-backgrounds")
}

export const photoPath = (photo: LabelledPhoto): string => {
  const at = photo.source.indexOf(":")
  const folder = folders[photo.source.slice(0, at)]
  if (folder === undefined) throw new Error(`${photo.id}: unknown source ${photo.source}`)
  return join(folder(), photo.source.slice(at + 1))
}
