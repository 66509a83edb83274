/**
 * The one error body of the contract: `{"message": "..."}`.
 */
import { HttpServerResponse } from "@effect/platform"
import { ByteSizeString } from "../domain/ByteSize.js"

export const messageResponse = (
  status: number,
  message: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse => HttpServerResponse.unsafeJson({ message }, { status, headers })

export const jsonResponse = (body: unknown, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status })

/** 413 closes the connection: the rest of an oversized upload is not worth keeping the socket for. */
export const bodyTooLargeResponse = (limitText: typeof ByteSizeString.Type) =>
  messageResponse(413, `Request body exceeds client_max_body_size (${limitText})`, { connection: "close" })
