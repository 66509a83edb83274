/**
 * Turns a labelled photo (eval/faces/labels.json) into the 1280x720 JPEG still a capture SDK would
 * send, by its recipe: the whole photo or a part of it fitted to the frame, or one face cut out of
 * its photo (neighbours cut away, black around it) at a given height and place, possibly turned,
 * masked, or paired with a second face.
 */
import sharp from "sharp"
import { faceWindowOnBlack } from "../../test/fixtures/face/faceFrames.js"
import { Schema } from "effect"

export const FRAME_WIDTH = 1280
export const FRAME_HEIGHT = 720

/** A face box in its photo's pixels (FaceMesh landmark extent, forehead to chin). */
export const SourceFace = Schema.Struct({ x: Schema.Number, y: Schema.Number, width: Schema.Number, height: Schema.Number })
export type SourceFace = typeof SourceFace.Type

export const Recipe = Schema.Union(
  /** The whole photo, scaled to cover the frame (centre kept). */
  Schema.TaggedStruct("scene", {}),
  /** A part of the photo, scaled to cover the frame. */
  Schema.TaggedStruct("crop", { x: Schema.Number, y: Schema.Number, width: Schema.Number, height: Schema.Number }),
  /** One face, `height` px tall, centred at (cx, cy), turned `rotate` degrees, lower face masked. */
  Schema.TaggedStruct("face", {
    face: SourceFace,
    height: Schema.Number,
    cx: Schema.Number,
    cy: Schema.Number,
    rotate: Schema.optional(Schema.Number),
    mask: Schema.optional(Schema.Boolean)
  }),
  /** Two faces of the same photo side by side, each `height` px tall. */
  Schema.TaggedStruct("pair", { faces: Schema.Tuple(SourceFace, SourceFace), height: Schema.Number })
)
export type Recipe = typeof Recipe.Type

/** The face window scaled into a raw 1280x720 frame, black elsewhere (shared with the test fixtures). */
const faceOnBlack = faceWindowOnBlack

const raw = { raw: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3 as const } }

/** A plain light-blue patch (a surgical mask's colour) from under the nose to below the chin. */
const maskPatch = async (faceHeight: number, cx: number, cy: number) => {
  const width = Math.round(faceHeight * 0.85)
  const height = Math.round(faceHeight * 0.42)
  const input = await sharp({ create: { width, height, channels: 3, background: { r: 168, g: 200, b: 222 } } }).png().toBuffer()
  return { input, left: Math.round(cx - width / 2), top: Math.round(cy + faceHeight * 0.12) }
}

/** The still for `recipe` applied to the photo at `photo`, as JPEG quality 90. */
export const buildStill = async (photo: string, recipe: Recipe): Promise<Buffer> => {
  switch (recipe._tag) {
    case "scene":
      return sharp(photo).removeAlpha().resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: "cover" }).jpeg({ quality: 90 }).toBuffer()
    case "crop":
      return sharp(photo)
        .removeAlpha()
        .extract({ left: recipe.x, top: recipe.y, width: recipe.width, height: recipe.height })
        .resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: "cover" })
        .jpeg({ quality: 90 })
        .toBuffer()
    case "face": {
      const frame = await faceOnBlack(photo, recipe.face, recipe.height, recipe.cx, recipe.cy)
      let image = sharp(frame, raw)
      if (recipe.mask === true) {
        const masked = await image.composite([await maskPatch(recipe.height, recipe.cx, recipe.cy)]).removeAlpha().raw().toBuffer({ resolveWithObject: true })
        image = sharp(masked.data, { raw: masked.info })
      }
      if (recipe.rotate !== undefined && recipe.rotate !== 0) {
        // On a black square as wide as the diagonal first, so a steep turn still covers the frame.
        const side = Math.ceil(Math.hypot(FRAME_WIDTH, FRAME_HEIGHT))
        const square = await image
          .extend({ left: (side - FRAME_WIDTH) >> 1, right: (side - FRAME_WIDTH + 1) >> 1, top: (side - FRAME_HEIGHT) >> 1, bottom: (side - FRAME_HEIGHT + 1) >> 1, background: { r: 0, g: 0, b: 0 } })
          .raw()
          .toBuffer({ resolveWithObject: true })
        const turned = await sharp(square.data, { raw: square.info }).rotate(recipe.rotate, { background: { r: 0, g: 0, b: 0 } }).raw().toBuffer({ resolveWithObject: true })
        image = sharp(turned.data, { raw: turned.info }).extract({
          left: Math.round((turned.info.width - FRAME_WIDTH) / 2),
          top: Math.round((turned.info.height - FRAME_HEIGHT) / 2),
          width: FRAME_WIDTH,
          height: FRAME_HEIGHT
        })
      }
      return image.jpeg({ quality: 90 }).toBuffer()
    }
    case "pair": {
      const [a, b] = recipe.faces
      const left = await faceOnBlack(photo, a, recipe.height, FRAME_WIDTH * 0.3, FRAME_HEIGHT / 2)
      const right = await faceOnBlack(photo, b, recipe.height, FRAME_WIDTH * 0.7, FRAME_HEIGHT / 2)
      // Each face keeps its own half: the windows may overlap in the middle.
      for (let y = 0; y < FRAME_HEIGHT; y++) {
        const row = y * FRAME_WIDTH * 3
        right.copy(left, row + (FRAME_WIDTH / 2) * 3, row + (FRAME_WIDTH / 2) * 3, row + FRAME_WIDTH * 3)
      }
      return sharp(left, raw).jpeg({ quality: 90 }).toBuffer()
    }
  }
}
