/**
 * `/health`, `/version`, `/openapi.json`, the admin `/config` (GET, POST) and the 1.x paths.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { CaptureEngine } from "../domain/CaptureEngine.js"
import { LicenseGate } from "../domain/LicenseGate.js"
import { MAX_CONFIG_DEPTH, nestsDeeperThan, redact, type ServiceConfig } from "../domain/ServiceConfig.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { IadApi } from "./Api.js"
import {
  BadRequest,
  failWithHeaders,
  Gone,
  InternalError,
  PayloadTooLarge,
  ServiceUnavailable,
  UnsupportedMediaType
} from "./ApiErrors.js"
import { ConfigPatch, ConfigUpdated, ShownConfig } from "./ConfigBodies.js"
import { readBody } from "./RequestBody.js"
import { COPYRIGHT, SERVICE_NAME, SERVICE_VERSION } from "./ServiceInfo.js"

/** Config bodies are small; this bounds them whatever client_max_body_size says (which a bad value could not undo). */
const MAX_CONFIG_BODY = 64 * 1024

/** Engines and models are all acquired before the server starts: a service that answers has them. */
const health = Effect.gen(function*() {
  const license = yield* Effect.flatMap(LicenseGate, (gate) => gate.state)
  if (!license.servesCaptures) {
    return yield* Effect.fail(
      new ServiceUnavailable({ message: `Not ready: captures cannot be served (${license.detail})` })
    )
  }
  return { message: "Healthy" }
})

const version = Effect.gen(function*() {
  const engine = yield* CaptureEngine
  const license = yield* Effect.flatMap(LicenseGate, (gate) => gate.state)
  return {
    message: `${SERVICE_NAME} ${SERVICE_VERSION} (engine: ${engine.name}; ${license.detail}) ${COPYRIGHT}`
  }
})

/** The configuration as shown: secrets redacted, still of the config's shape. */
const shown = (config: ServiceConfig) => Schema.decodeUnknown(ShownConfig)(redact(config)).pipe(Effect.orDie)

const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => {
      const key = issue.path.map(String).join(".")
      return `config key "${key === "" ? "(root)" : key}": ${issue._tag === "Unexpected" ? "unknown key" : issue.message}`
    })
    .join("; ")

const decodePatch = Schema.decodeUnknown(ConfigPatch, { onExcessProperty: "error", errors: "all" })

/** The JSON body of `POST /config`, read under its own limit and checked against ConfigPatch. */
const readPatch = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    // A browser can send text/plain cross-site without a preflight: only JSON is read.
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (contentType !== "application/json") {
      return yield* Effect.fail(
        new UnsupportedMediaType({
          message: `Expected Content-Type application/json, got ${contentType === "" ? "none" : JSON.stringify(contentType)}`
        })
      )
    }
    const bytes = yield* readBody(request, MAX_CONFIG_BODY).pipe(
      Effect.catchTags({
        BodyTooLarge: () =>
          failWithHeaders(new PayloadTooLarge({ message: `A config body is at most ${MAX_CONFIG_BODY} bytes` }), {
            connection: "close"
          }),
        BodyReadFailed: (error) => Effect.fail(new BadRequest({ message: error.message }))
      })
    )
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(bytes.toString("utf8")),
      catch: (error) => new BadRequest({ message: `The body is not valid JSON: ${(error as Error).message}` })
    })
    if (nestsDeeperThan(json, MAX_CONFIG_DEPTH)) {
      return yield* Effect.fail(
        new BadRequest({ message: `the body nests deeper than any config key (over ${MAX_CONFIG_DEPTH} levels)` })
      )
    }
    // The parsed JSON goes to the store, which merges it over the file; the decode checks its shape.
    yield* decodePatch(json).pipe(Effect.mapError((error) => new BadRequest({ message: describeParseError(error) })))
    return json
  })

export const ManagementHandlersLive = HttpApiBuilder.group(IadApi, "management", (handlers) =>
  Effect.sync(() => {
    const openApiDocument: Readonly<Record<string, unknown>> = { ...OpenApi.fromApi(IadApi) }
    return handlers
      .handle("health", () => health)
      .handle("version", () => version)
      .handle("openapi", () => Effect.succeed(openApiDocument))
  }))

export const AdminHandlersLive = HttpApiBuilder.group(IadApi, "admin", (handlers) =>
  Effect.gen(function*() {
    const store = yield* ConfigStore
    return handlers
      .handle("getConfig", () => Effect.flatMap(store.current, shown))
      // Raw: the body is read under MAX_CONFIG_BODY (see Api.ts); the answer is still Schema-encoded.
      .handleRaw("setConfig", ({ request }) =>
        Effect.gen(function*() {
          const patch = yield* readPatch(request)
          const update = yield* store.update(patch).pipe(
            Effect.catchTags({
              InvalidConfig: (error) => Effect.fail(new BadRequest({ message: error.message })),
              ConfigFileError: (error) =>
                Effect.logError("configuration not persisted").pipe(
                  Effect.annotateLogs({ detail: error.message }),
                  Effect.zipRight(
                    Effect.fail(new InternalError({ message: "The configuration could not be persisted; nothing was changed" }))
                  )
                )
            })
          )
          yield* Effect.logInfo("configuration updated").pipe(Effect.annotateLogs({ changed: update.changed.join(",") }))
          const body = {
            message: update.restartRequired.length === 0
              ? "Configuration updated and applied"
              : `Configuration updated; restart to apply: ${update.restartRequired.join(", ")}`,
            changed: update.changed,
            restartRequired: update.restartRequired,
            overriddenByEnvironment: update.overriddenByEnvironment,
            config: yield* shown(update.config)
          }
          // The store validated the config: an encoding failure here is a bug.
          return yield* HttpServerResponse.schemaJson(ConfigUpdated)(body).pipe(Effect.orDie)
        }))
  }))

export const legacyMessage = (oldPath: string, newPath: string) =>
  `${oldPath} was removed in 2.0.0: POST the capture to ${newPath} as multipart/form-data field \`capture\``

export const LegacyHandlersLive = HttpApiBuilder.group(IadApi, "legacy", (handlers) =>
  handlers
    .handle("checkCapture", () =>
      Effect.fail(new Gone({ message: legacyMessage("/api/v1/iad/check-capture", "/api/v1/iad/liveness/evaluate") })))
    .handle("extractImage", () =>
      Effect.fail(new Gone({ message: legacyMessage("/api/v1/iad/extract-image", "/api/v1/iad/extract") }))))
