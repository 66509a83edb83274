import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { postCapture, startServer } from "../support/TestServer.js"

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9])

describe("POST /extract", () => {
  it.scoped("returns the best frame, its mime type and the face probability", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* postCapture(
        `${url}/extract`,
        encodeFakeCapture({ image: JPEG.toString("base64"), faceProbability: 0.875 })
      )
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body).sort()).toEqual(["faceProbability", "image", "mimeType", "queueDuration", "sdkDuration"])
      expect(Buffer.from(answer.body.image as string, "base64")).toEqual(JPEG)
      expect(answer.body.mimeType).toBe("image/jpeg")
      expect(answer.body.faceProbability).toBe(0.875)
    }))

  it.scoped("answers NoneBecauseImageDataError for parse and decrypt failures", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const garbage = yield* postCapture(`${url}/extract`, "not a capture")
      expect(garbage).toMatchObject({ status: 400, body: { message: "NoneBecauseImageDataError" } })
      const undecryptable = yield* postCapture(`${url}/extract`, encodeFakeCapture({ outcome: "NoneBecauseImageDataError" }))
      expect(undecryptable).toMatchObject({ status: 400, body: { message: "NoneBecauseImageDataError" } })
    }))

  it.scoped("answers 500 ErrorFacialImage for an unclassified failure", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* postCapture(`${url}/extract`, encodeFakeCapture({ outcome: "ErrorFacialImage" }))
      expect(answer).toMatchObject({ status: 500, body: { message: "ErrorFacialImage" } })
    }))

  it.scoped("gives no face guidance: a face outcome does not stop extraction", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* postCapture(`${url}/extract`, encodeFakeCapture({ outcome: "NoneBecauseFaceTooClose" }))
      expect(answer.status).toBe(200)
      expect(typeof answer.body.image).toBe("string")
    }))

  it.scoped("answers each capture from its own bytes while upload buffers are reused (large then small, one at a time and at once)", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      // Distinct images of very different sizes: a reused buffer's older, longer bytes must never show.
      const images = Array.from({ length: 12 }, (_, i) => Buffer.concat([JPEG, Buffer.alloc(i % 2 === 0 ? 300_000 : 10, i + 1)]))
      const post = (image: Buffer) => postCapture(`${url}/extract`, encodeFakeCapture({ image: image.toString("base64"), faceProbability: 0.5 }))
      for (const image of images) {
        const answer = yield* post(image)
        expect(answer.status).toBe(200)
        expect(Buffer.from(answer.body.image as string, "base64").equals(image)).toBe(true)
      }
      const together = yield* Effect.forEach(images, post, { concurrency: "unbounded" })
      together.forEach((answer, i) => {
        expect(answer.status).toBe(200)
        expect(Buffer.from(answer.body.image as string, "base64").equals(images[i]!)).toBe(true)
      })
    }))
})
