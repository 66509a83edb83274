/**
 * `/health`, `/version`, `/config` (GET, POST) and `/openapi.json`.
 */
import { HttpApiBuilder, OpenApi } from "@effect/platform"
import { Effect } from "effect"
import { CaptureEngine } from "../domain/CaptureEngine.js"
import { LicenseGate } from "../domain/LicenseGate.js"
import { redact } from "../domain/ServiceConfig.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { AdminToken, authorizeAdmin } from "./AdminAuth.js"
import { IadApi } from "./Api.js"
import { BodyReadFailed, readBody } from "./RequestBody.js"
import { bodyTooLargeResponse, jsonResponse, messageResponse } from "./Responses.js"
import { COPYRIGHT, SERVICE_NAME, SERVICE_VERSION } from "./ServiceInfo.js"
import { bodyLimitOf } from "./BodyLimit.js"

/** Config bodies are small; this bounds them even when client_max_body_size is unlimited. */
const MAX_CONFIG_BODY = 64 * 1024

/** Engines and models are all acquired before the server starts: a service that answers has them. */
const health = Effect.gen(function*() {
  const license = yield* Effect.flatMap(LicenseGate, (gate) => gate.state)
  if (!license.servesCaptures) return messageResponse(503, `Not ready: captures cannot be served (${license.detail})`)
  return messageResponse(200, "Healthy")
})

const version = Effect.gen(function*() {
  const engine = yield* CaptureEngine
  const license = yield* Effect.flatMap(LicenseGate, (gate) => gate.state)
  return {
    message: `${SERVICE_NAME} ${SERVICE_VERSION} (engine: ${engine.name}; ${license.detail}) ${COPYRIGHT}`
  }
})

const parseJson = (bytes: Buffer) =>
  Effect.try({
    try: (): unknown => JSON.parse(bytes.toString("utf8")),
    catch: (error) => new BodyReadFailed({ message: `The body is not valid JSON: ${(error as Error).message}` })
  })

export const ManagementHandlersLive = HttpApiBuilder.group(IadApi, "management", (handlers) =>
  Effect.gen(function*() {
    const store = yield* ConfigStore
    const token = yield* AdminToken
    const openApiDocument = OpenApi.fromApi(IadApi)
    return handlers
      .handleRaw("health", () => health)
      .handle("version", () => version)
      .handle("getConfig", () => Effect.map(store.current, redact))
      .handleRaw("setConfig", ({ request }) =>
        Effect.gen(function*() {
          const decision = authorizeAdmin(request, token)
          if (decision._tag === "Denied") {
            return messageResponse(decision.status, decision.message, decision.status === 401 ? { "www-authenticate": "Bearer" } : {})
          }
          const config = yield* store.current
          const serviceLimit = bodyLimitOf(config)
          const limit = Math.min(MAX_CONFIG_BODY, serviceLimit ?? MAX_CONFIG_BODY)
          return yield* readBody(request, limit).pipe(
            Effect.flatMap(parseJson),
            Effect.flatMap(store.update),
            Effect.tap((update) =>
              Effect.logInfo("configuration updated").pipe(Effect.annotateLogs({ changed: update.changed.join(",") }))
            ),
            Effect.map((update) =>
              jsonResponse({
                message: update.restartRequired.length === 0
                  ? "Configuration updated and applied"
                  : `Configuration updated; restart to apply: ${update.restartRequired.join(", ")}`,
                changed: update.changed,
                restartRequired: update.restartRequired,
                overriddenByEnvironment: update.overriddenByEnvironment,
                config: redact(update.config)
              })
            ),
            Effect.catchTags({
              BodyTooLarge: () => Effect.succeed(bodyTooLargeResponse(limit === MAX_CONFIG_BODY ? "64k" : config.client_max_body_size)),
              BodyReadFailed: (error) => Effect.succeed(messageResponse(400, error.message)),
              InvalidConfig: (error) => Effect.succeed(messageResponse(400, error.message)),
              ConfigFileError: (error) =>
                Effect.logError("configuration not persisted").pipe(
                  Effect.annotateLogs({ detail: error.message }),
                  Effect.as(messageResponse(500, "The configuration could not be persisted; nothing was changed"))
                )
            })
          )
        }))
      .handleRaw("openapi", () => Effect.succeed(jsonResponse(openApiDocument)))
  }))

export const legacyMessage = (oldPath: string, newPath: string) =>
  `${oldPath} was removed in 2.0.0: POST the capture to ${newPath} as multipart/form-data field \`capture\``

export const LegacyHandlersLive = HttpApiBuilder.group(IadApi, "legacy", (handlers) =>
  handlers
    .handleRaw("checkCapture", () =>
      Effect.succeed(messageResponse(410, legacyMessage("/api/v1/iad/check-capture", "/api/v1/iad/liveness/evaluate"))))
    .handleRaw("extractImage", () =>
      Effect.succeed(messageResponse(410, legacyMessage("/api/v1/iad/extract-image", "/api/v1/iad/extract")))))
