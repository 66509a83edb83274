/**
 * Takes the `capture` file out of a multipart/form-data request, parsing while the body streams
 * in (multipasta, the parser under @effect/platform's Multipart) so that nothing but the capture
 * bytes is kept in memory and the body limit applies to chunked and sized uploads alike. The bytes
 * are in a reused buffer (`UploadBytes`): the caller releases them once it has answered.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as MP from "multipasta"
import { type BodyReadFailed, type BodyTooLarge, declaredLength, streamBody } from "./RequestBody.js"
import { UploadBytes } from "./UploadBytes.js"

export const CAPTURE_FIELD = "capture"
const LEGACY_FIELD = "file"
/** Generous for a form with one file; guards against part floods. */
const MAX_PARTS = 16

export class UploadRejected extends Data.TaggedError("UploadRejected")<{ readonly message: string }> {}

const describe = (error: MP.MultipartError): string => {
  switch (error._tag) {
    case "ReachedLimit":
      return `too many multipart parts (at most ${MAX_PARTS})`
    case "EndNotReached":
      return "the multipart body ends before its closing boundary (truncated upload?)"
    case "InvalidBoundary":
      return "the multipart boundary is missing or invalid"
    case "BadHeaders":
      return "a multipart part has malformed headers"
    case "InvalidDisposition":
      return "a multipart part has no valid Content-Disposition"
  }
}

/**
 * The `capture` field's bytes. On success the caller owns them and calls `release` once nothing
 * reads them any more; on failure (or interruption) they are released here.
 */
export const readCaptureField = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number | undefined
): Effect.Effect<UploadBytes, UploadRejected | BodyTooLarge | BodyReadFailed> =>
  Effect.suspend(() => {
    const contentType = request.headers["content-type"] ?? ""
    if (!/^multipart\/form-data\s*;/i.test(contentType)) {
      return Effect.fail(
        new UploadRejected({
          message: `Expected Content-Type multipart/form-data with a file field \`${CAPTURE_FIELD}\`, got ${
            contentType === "" ? "none" : JSON.stringify(contentType.split(";")[0])
          }`
        })
      )
    }
    const fieldNames: Array<string> = []
    // The capture is most of the body: room for the declared length (never past the limit).
    const declared = declaredLength(request)
    const capture = new UploadBytes(declared === undefined ? undefined : Math.min(declared, limit ?? declared))
    let captureParts = 0
    let failure: string | undefined
    let done = false
    const parser = MP.make({
      headers: { "content-type": contentType },
      maxParts: MAX_PARTS,
      // Every part is streamed raw: a capture sent without a filename is still binary.
      isFile: () => true,
      onField: () => {},
      onFile: (info) => {
        fieldNames.push(info.name)
        const isCapture = info.name === CAPTURE_FIELD
        if (isCapture) captureParts++
        return (chunk) => {
          if (isCapture && captureParts === 1 && chunk !== null) capture.append(chunk)
        }
      },
      onError: (error) => {
        failure ??= describe(error)
      },
      onDone: () => {
        done = true
      }
    })
    return streamBody(request, limit, (chunk) => {
      if (failure === undefined) parser.write(chunk)
    }).pipe(
      Effect.flatMap(() => {
        if (failure === undefined) parser.end()
        if (failure !== undefined) return Effect.fail(new UploadRejected({ message: `Malformed multipart body: ${failure}` }))
        if (!done) return Effect.fail(new UploadRejected({ message: "Malformed multipart body: incomplete" }))
        if (captureParts === 0) {
          const legacy = fieldNames.includes(LEGACY_FIELD)
            ? ` (the 1.x field \`${LEGACY_FIELD}\` is no longer accepted: send the capture as \`${CAPTURE_FIELD}\`)`
            : ""
          return Effect.fail(new UploadRejected({ message: `Missing multipart field \`${CAPTURE_FIELD}\`${legacy}` }))
        }
        if (captureParts > 1) {
          return Effect.fail(new UploadRejected({ message: `Send exactly one \`${CAPTURE_FIELD}\` field, got ${captureParts}` }))
        }
        return Effect.succeed(capture)
      }),
      Effect.onError(() => Effect.sync(() => capture.release()))
    )
  })
