/**
 * The one error body of the contract, `{"message": "..."}`, for the few answers given outside
 * the HttpApi handlers (the body-size guard, unknown paths), and the 413 shared by all readers.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { ByteSizeString } from "../domain/ByteSize.js"
import { failWithHeaders, PayloadTooLarge } from "./ApiErrors.js"

export const messageResponse = (
  status: number,
  message: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse => HttpServerResponse.unsafeJson({ message }, { status, headers })

const tooLargeMessage = (limitText: typeof ByteSizeString.Type) => `Request body exceeds client_max_body_size (${limitText})`

/** 413 closes the connection: the rest of an oversized upload is not worth keeping the socket for. */
const CLOSE = { connection: "close" }

export const bodyTooLargeResponse = (limitText: typeof ByteSizeString.Type) =>
  messageResponse(413, tooLargeMessage(limitText), CLOSE)

export const payloadTooLarge = (limitText: typeof ByteSizeString.Type): Effect.Effect<never, PayloadTooLarge> =>
  failWithHeaders(new PayloadTooLarge({ message: tooLargeMessage(limitText) }), CLOSE)
