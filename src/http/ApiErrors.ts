/**
 * The error answers of the API, one Schema class per status. Each encodes to the contract's one
 * error body, `{"message": "..."}`; the status comes from its annotation, so HttpApi both sends
 * and documents it. Headers that go with some of them (Retry-After, WWW-Authenticate,
 * Connection: close) are added by `withHeaders` on the response the failure turns into.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * `{message}` plus a `_tag` that exists only in the service and is never encoded: HttpApi picks
 * the class (and so the status) of a failure by encoding it with each error Schema in turn, and
 * classes that differ only by name would all accept each other's instances.
 */
const fields = <Tag extends string>(tag: Tag) => ({
  _tag: Schema.optionalToRequired(Schema.Literal(tag), Schema.Literal(tag), {
    decode: () => tag,
    encode: () => Option.none()
  }).pipe(Schema.withConstructorDefault(() => tag)),
  message: Schema.String
})

export class BadRequest extends Schema.Class<BadRequest>("BadRequest")(
  fields("BadRequest"),
  HttpApiSchema.annotations({ status: 400, description: "Capture validation failure (public message) or a malformed request" })
) {}

export class Unauthorized extends Schema.Class<Unauthorized>("Unauthorized")(
  fields("Unauthorized"),
  HttpApiSchema.annotations({ status: 401, description: "No `Authorization: Bearer <admin token>` (sent with WWW-Authenticate: Bearer)" })
) {}

export class Forbidden extends Schema.Class<Forbidden>("Forbidden")(
  fields("Forbidden"),
  HttpApiSchema.annotations({ status: 403, description: "Wrong admin token, or a request carrying a not allowed Origin (CSRF)" })
) {}

export class Gone extends Schema.Class<Gone>("Gone")(
  fields("Gone"),
  HttpApiSchema.annotations({ status: 410, description: "A 1.x path: the message names the 2.0.0 path and the `capture` field" })
) {}

export class PayloadTooLarge extends Schema.Class<PayloadTooLarge>("PayloadTooLarge")(
  fields("PayloadTooLarge"),
  HttpApiSchema.annotations({ status: 413, description: "Body larger than the endpoint's limit (sent with Connection: close)" })
) {}

export class UnsupportedMediaType extends Schema.Class<UnsupportedMediaType>("UnsupportedMediaType")(
  fields("UnsupportedMediaType"),
  HttpApiSchema.annotations({ status: 415, description: "The body is not of the Content-Type the endpoint reads" })
) {}

export class TooManyRequests extends Schema.Class<TooManyRequests>("TooManyRequests")(
  fields("TooManyRequests"),
  HttpApiSchema.annotations({ status: 429, description: "Too many wrong admin tokens from this client: wait Retry-After seconds" })
) {}

export class InternalError extends Schema.Class<InternalError>("InternalError")(
  fields("InternalError"),
  HttpApiSchema.annotations({ status: 500, description: "ErrorProcessing (evaluate), ErrorFacialImage (extract), or a failed config write" })
) {}

export class ServiceUnavailable extends Schema.Class<ServiceUnavailable>("ServiceUnavailable")(
  fields("ServiceUnavailable"),
  HttpApiSchema.annotations({
    status: 503,
    description: "NoneBecauseLicenseError, not ready, or a temporary shortage (then with Retry-After)"
  })
) {}

/**
 * Adds headers to whatever response this request ends with: a failure is encoded to its response
 * by HttpApi after the handler returns, so the handler cannot set them on it directly.
 */
export const withHeaders = (headers: Readonly<Record<string, string>>) =>
  HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(HttpServerResponse.setHeaders(response, headers)))

/** Fails with `error` after arranging for its response to carry `headers`. */
export const failWithHeaders = <E>(error: E, headers: Readonly<Record<string, string>>): Effect.Effect<never, E> =>
  Effect.zipRight(withHeaders(headers), Effect.fail(error))

export const retryAfter = (seconds: number) => ({ "retry-after": String(Math.max(1, Math.ceil(seconds))) })
