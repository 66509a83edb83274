/**
 * The public contract as an HttpApi definition: the source of `/openapi.json`.
 * Capture endpoints are implemented with raw handlers (multipart is read under the body limit by
 * `CaptureUpload`), so the payload schemas here document the contract rather than decode it.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, Multipart, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ExtractResult, LivenessResult, MessageBody } from "../domain/PublicPayloads.js"

/**
 * Error bodies, for the document only: handlers answer `{message}` themselves (so that every
 * error has exactly that shape). The never-passing filter keeps HttpApi from re-encoding other
 * failures (e.g. an unknown route, which has a `message` too) as one of these.
 */
const documentedError = (identifier: string, status: number, description: string) =>
  Schema.Struct({ message: Schema.String }).pipe(
    Schema.filter(() => false, { jsonSchema: {} }),
    Schema.annotations({ identifier, description }),
    Schema.annotations(HttpApiSchema.annotations({ status }))
  )

export const BadRequest = documentedError("BadRequest", 400, "Capture validation failure (public message) or a malformed request")
export const Unauthorized = documentedError("Unauthorized", 401, "Missing bearer token")
export const Forbidden = documentedError("Forbidden", 403, "Wrong token, or a non-loopback client while no admin token is set")
export const Gone = documentedError("Gone", 410, "A 1.x path: the message names the 2.0.0 path and the `capture` field")
export const PayloadTooLarge = documentedError("PayloadTooLarge", 413, "Body larger than client_max_body_size")
export const InternalError = documentedError("InternalError", 500, "ErrorProcessing (evaluate) or ErrorFacialImage (extract)")
export const Unavailable = documentedError("Unavailable", 503, "NoneBecauseLicenseError, engines busy (with Retry-After), or not ready")

const CaptureUpload = HttpApiSchema.Multipart(
  Schema.Struct({
    capture: Multipart.SingleFileSchema.annotations({ description: "The encrypted capture produced by the capture SDK" })
  })
)

/** The answers both capture endpoints share besides their payload. */
const captureEndpoint = <Name extends string>(name: Name, path: HttpApiEndpoint.PathSegment) =>
  HttpApiEndpoint.post(name, path)
    .setPayload(CaptureUpload)
    .addError(BadRequest)
    .addError(PayloadTooLarge)
    .addError(InternalError)
    .addError(Unavailable)

export const captureGroup = HttpApiGroup.make("capture")
  .add(
    captureEndpoint("evaluate", "/liveness/evaluate")
      .addSuccess(LivenessResult)
      .annotate(OpenApi.Summary, "Evaluate a capture for injection attacks")
  )
  .add(
    captureEndpoint("extract", "/extract")
      .addSuccess(ExtractResult)
      .annotate(OpenApi.Summary, "Extract the best facial frame of a capture")
  )
  .prefix("/api/v1/iad")

export const ConfigUpdateBody = Schema.Struct({
  message: Schema.String,
  changed: Schema.Array(Schema.String),
  restartRequired: Schema.Array(Schema.String),
  overriddenByEnvironment: Schema.Array(Schema.String),
  config: Schema.Unknown
})

export const managementGroup = HttpApiGroup.make("management")
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(MessageBody)
      .addError(Unavailable)
      .annotate(OpenApi.Summary, "Healthy when the engines are ready and captures can be served")
  )
  .add(
    HttpApiEndpoint.get("version", "/version")
      .addSuccess(MessageBody)
      .annotate(OpenApi.Summary, "Service version and license status")
  )
  .add(
    HttpApiEndpoint.get("getConfig", "/config")
      .addSuccess(Schema.Unknown.annotations({ description: "Effective configuration, secrets redacted" }))
      .annotate(OpenApi.Summary, "Effective configuration")
  )
  .add(
    HttpApiEndpoint.post("setConfig", "/config")
      .setPayload(Schema.Unknown.annotations({ description: "Partial configuration merged over the current one" }))
      .addSuccess(ConfigUpdateBody)
      .addError(BadRequest)
      .addError(Unauthorized)
      .addError(Forbidden)
      .addError(PayloadTooLarge)
      .addError(InternalError)
      .annotate(OpenApi.Summary, "Update and persist the configuration")
  )
  .add(
    HttpApiEndpoint.get("openapi", "/openapi.json")
      .addSuccess(Schema.Unknown)
      .annotate(OpenApi.Summary, "This document")
  )
  .prefix("/api/v1/iad")

export const legacyGroup = HttpApiGroup.make("legacy")
  .add(HttpApiEndpoint.post("checkCapture", "/check-capture").addError(Gone).annotate(OpenApi.Deprecated, true))
  .add(HttpApiEndpoint.post("extractImage", "/extract-image").addError(Gone).annotate(OpenApi.Deprecated, true))
  .prefix("/api/v1/iad")
  .annotate(OpenApi.Description, "1.x endpoints, removed in 2.0.0")

export class IadApi extends HttpApi.make("iad")
  .add(captureGroup)
  .add(managementGroup)
  .add(legacyGroup)
  .annotate(OpenApi.Title, "IAD Service")
  .annotate(OpenApi.Version, "2.0.0")
  .annotate(
    OpenApi.Description,
    "Injection attack detection: the public REST contract of the Facephi IAD Service 2.0.0. Every error body is {\"message\": \"...\"}."
  )
{}
