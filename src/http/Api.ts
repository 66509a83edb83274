/**
 * The public contract as an HttpApi definition: what the service does and the source of
 * `/openapi.json`. Every error is one of the Schema classes of ApiErrors (body `{message}`).
 *
 * Raw handlers read three bodies themselves (the captures and `POST /config`): the platform's
 * body limits do not fail cleanly on Node (FACTS.md; test/http/PlatformMultipartLimits.test.ts:
 * `maxFileSize` drops the file, 400 "missing" or an empty 500 when chunked; `maxTotalSize` gives an
 * empty 500), so those bodies stream through RequestBody under the limit and answer 413.
 * Their payload Schemas here are still the ones the handlers decode with.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { ExtractResult, LivenessResult, MessageBody } from "../domain/PublicPayloads.js"
import { AdminAuthorization } from "./AdminAuth.js"
import {
  BadRequest,
  Gone,
  InternalError,
  PayloadTooLarge,
  ServiceUnavailable,
  UnsupportedMediaType
} from "./ApiErrors.js"
import { ConfigPatch, ConfigUpdated, ShownConfig } from "./ConfigBodies.js"
import { documentTransform } from "./OpenApiDocument.js"
import { SessionIssued, SessionRequest } from "./SessionBodies.js"

/** One binary file part. (Multipart.SingleFileSchema documents it as an array of binaries.) */
const CaptureFile = Schema.Unknown.annotations({
  description: "The encrypted capture produced by the capture SDK",
  jsonSchema: { type: "string", format: "binary" }
})

const CaptureUpload = HttpApiSchema.Multipart(Schema.Struct({ capture: CaptureFile }))

/** The answers both capture endpoints share besides their payload. */
const captureEndpoint = <Name extends string>(name: Name, path: HttpApiEndpoint.PathSegment) =>
  HttpApiEndpoint.post(name, path)
    .setPayload(CaptureUpload)
    .addError(BadRequest)
    .addError(PayloadTooLarge)
    .addError(InternalError)
    .addError(ServiceUnavailable)

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

export const managementGroup = HttpApiGroup.make("management")
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(MessageBody)
      .addError(ServiceUnavailable)
      .annotate(OpenApi.Summary, "Healthy when the engines are ready and captures can be served")
  )
  .add(
    HttpApiEndpoint.get("version", "/version")
      .addSuccess(MessageBody)
      .annotate(OpenApi.Summary, "Service version and license status")
  )
  .add(
    HttpApiEndpoint.get("openapi", "/openapi.json")
      .addSuccess(Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({ description: "OpenAPI 3.1 document" }))
      .annotate(OpenApi.Summary, "This document")
  )
  .prefix("/api/v1/iad")

/** `/config`: admin only (bearer token, no browser Origin, bad tokens throttled). */
export const adminGroup = HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.get("getConfig", "/config")
      .addSuccess(ShownConfig)
      .annotate(OpenApi.Summary, "Effective configuration")
  )
  .add(
    HttpApiEndpoint.post("setConfig", "/config")
      .setPayload(ConfigPatch)
      .addSuccess(ConfigUpdated)
      .addError(BadRequest)
      .addError(PayloadTooLarge)
      .addError(UnsupportedMediaType)
      .addError(InternalError)
      .annotate(OpenApi.Summary, "Update and persist the configuration")
  )
  .middleware(AdminAuthorization)
  .prefix("/api/v1/iad")

/** `POST /sessions`: the integrator's backend gets a session for one web capture (admin token). */
export const sessionsGroup = HttpApiGroup.make("sessions")
  .add(
    HttpApiEndpoint.post("createSession", "/sessions")
      .setPayload(SessionRequest)
      .addSuccess(SessionIssued, { status: 201 })
      .addError(BadRequest)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Issue a session token for one web capture")
      .annotate(
        OpenApi.Description,
        "For the integrator's backend: the token goes to the page, which passes it to the browser SDK (captureFace). " +
          "It is valid once, until expiresAt (sessions.ttl_seconds). The body may be empty."
      )
  )
  .middleware(AdminAuthorization)
  .prefix("/api/v1/iad")

export const legacyGroup = HttpApiGroup.make("legacy")
  .add(HttpApiEndpoint.post("checkCapture", "/check-capture").addError(Gone).annotate(OpenApi.Deprecated, true))
  .add(HttpApiEndpoint.post("extractImage", "/extract-image").addError(Gone).annotate(OpenApi.Deprecated, true))
  .prefix("/api/v1/iad")
  .annotate(OpenApi.Description, "1.x endpoints, removed in 2.0.0")

export class IadApi extends HttpApi.make("iad")
  .add(captureGroup)
  .add(managementGroup)
  .add(adminGroup)
  .add(sessionsGroup)
  .add(legacyGroup)
  .annotate(OpenApi.Title, "IAD Service")
  .annotate(OpenApi.Version, "2.0.0")
  .annotate(
    OpenApi.Description,
    "Injection attack detection: the public REST contract of the Facephi IAD Service 2.0.0. " +
      "Every error body is {\"message\": \"...\"}; a path or method not listed here is answered 404 with one."
  )
  .annotate(OpenApi.Transform, documentTransform)
{}
