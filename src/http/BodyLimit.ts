/**
 * The body limit (`client_max_body_size`), read from the live configuration on every request.
 * Sized uploads over the limit are answered 413 here before any byte is read; chunked uploads are
 * cut off by the readers in `RequestBody` while they stream.
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { parseByteSize } from "../domain/ByteSize.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { declaredLength, discardRest } from "./RequestBody.js"
import { bodyTooLargeResponse } from "./Responses.js"

/** Bytes, or undefined for no limit (the config Schema guarantees the text parses). */
export const bodyLimitOf = (config: ServiceConfig): number | undefined =>
  Either.getOrUndefined(parseByteSize(config.client_max_body_size))

export const rejectOversizedBodies = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const config = yield* Effect.flatMap(ConfigStore, (store) => store.current)
    const limit = bodyLimitOf(config)
    const length = declaredLength(request)
    if (limit !== undefined && length !== undefined && length > limit) {
      discardRest(NodeHttpServerRequest.toIncomingMessage(request))
      return bodyTooLargeResponse(config.client_max_body_size)
    }
    return yield* app
  })
)
