/**
 * Reads a request body straight from Node's IncomingMessage under a byte limit.
 *
 * Why not the platform's body readers: on Node, their limits either drop data silently or end in
 * a 500 / a reset connection (FACTS.md). Here an over-limit body stops being read, the caller
 * answers 413 itself, and the rest of the upload is discarded without destroying the socket, so
 * the client always gets the answer.
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as http from "node:http"

export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{ readonly limit: number }> {}
export class BodyReadFailed extends Data.TaggedError("BodyReadFailed")<{ readonly message: string }> {}

/** Lets the remaining bytes of an abandoned upload drain, so the response is not lost to a reset. */
export const discardRest = (incoming: http.IncomingMessage): void => {
  incoming.removeAllListeners("data")
  incoming.on("error", () => {})
  incoming.resume()
}

export const declaredLength = (request: HttpServerRequest.HttpServerRequest): number | undefined => {
  const header = request.headers["content-length"]
  if (header === undefined || !/^\d+$/.test(header)) return undefined
  return Number(header)
}

/**
 * Streams the body through `onChunk`, counting bytes. `limit` undefined = no limit.
 */
export const streamBody = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number | undefined,
  onChunk: (chunk: Buffer) => void
): Effect.Effect<number, BodyTooLarge | BodyReadFailed> => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  return Effect.async<number, BodyTooLarge | BodyReadFailed>((resume) => {
    let total = 0
    let settled = false
    const finish = (effect: Effect.Effect<number, BodyTooLarge | BodyReadFailed>) => {
      if (settled) return
      settled = true
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
      incoming.off("aborted", onAborted)
      resume(effect)
    }
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (limit !== undefined && total > limit) {
        discardRest(incoming)
        return finish(Effect.fail(new BodyTooLarge({ limit })))
      }
      try {
        onChunk(chunk)
      } catch (error) {
        discardRest(incoming)
        finish(Effect.fail(new BodyReadFailed({ message: String(error) })))
      }
    }
    const onEnd = () => finish(Effect.succeed(total))
    const onError = (error: Error) => finish(Effect.fail(new BodyReadFailed({ message: error.message })))
    const onAborted = () => finish(Effect.fail(new BodyReadFailed({ message: "client aborted the upload" })))
    if (incoming.readableEnded) return finish(Effect.succeed(0))
    incoming.on("data", onData)
    incoming.once("end", onEnd)
    incoming.once("error", onError)
    incoming.once("aborted", onAborted)
    return Effect.sync(() => {
      if (!settled) {
        settled = true
        discardRest(incoming)
      }
    })
  })
}

/** The whole body as bytes, under the limit. */
export const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number | undefined
): Effect.Effect<Buffer, BodyTooLarge | BodyReadFailed> => {
  const chunks: Array<Buffer> = []
  return Effect.map(streamBody(request, limit, (chunk) => chunks.push(chunk)), () => Buffer.concat(chunks))
}
