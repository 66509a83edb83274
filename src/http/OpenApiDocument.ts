/**
 * Corrections to the generated OpenAPI document, so that it lists what the service sends and
 * nothing else (test/http/OpenApi.test.ts walks it and produces every status):
 * - HttpApi declares a 400 `HttpApiDecodeError` on every operation; no endpoint lets the platform
 *   decode anything (bodies are read and decoded by the handlers, answering `BadRequest`), so it
 *   is never sent and is dropped.
 * - Operations that only fail (the 1.x paths) get a 204 success they never send: dropped.
 * - Headers Schemas cannot express: Retry-After on 429/503, WWW-Authenticate on 401.
 * - The error classes' `_tag` (ApiErrors.ts) is never encoded: it is not part of the bodies.
 */

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const DECODE_ERROR_REF = "#/components/schemas/HttpApiDecodeError"
/** Schemas that only the decode error uses. */
const DECODE_ERROR_SCHEMAS = ["HttpApiDecodeError", "Issue", "PropertyKey"]

const RESPONSE_HEADERS: Readonly<Record<string, Json>> = {
  "401": {
    "WWW-Authenticate": { description: "Always `Bearer`", schema: { type: "string", const: "Bearer" } }
  },
  "429": {
    "Retry-After": { description: "Seconds to wait before trying again", required: true, schema: { type: "string", pattern: "^[1-9][0-9]*$" } }
  },
  "503": {
    "Retry-After": {
      description: "Seconds to wait, when the shortage is temporary (e.g. all engines busy)",
      schema: { type: "string", pattern: "^[1-9][0-9]*$" }
    }
  }
}

const withoutDecodeError = (response: Json): Json | undefined => {
  const content = response["content"]
  if (!isObject(content)) return response
  const media = content["application/json"]
  if (!isObject(media) || !isObject(media["schema"])) return response
  const schema = media["schema"]
  if (schema["$ref"] === DECODE_ERROR_REF) return undefined
  const anyOf = schema["anyOf"]
  if (!Array.isArray(anyOf)) return response
  const rest = anyOf.filter((member) => !(isObject(member) && member["$ref"] === DECODE_ERROR_REF))
  const corrected = rest.length === 1 ? rest[0] : { ...schema, anyOf: rest }
  return { ...response, content: { ...content, "application/json": { ...media, schema: corrected } } }
}

const correctResponses = (responses: Json): Json => {
  const out: Json = {}
  const onlyFails = !Object.keys(responses).some((status) => status.startsWith("2") && status !== "204")
  for (const [status, response] of Object.entries(responses)) {
    if (!isObject(response)) continue
    if (status === "204" && onlyFails) continue
    const kept = status === "400" ? withoutDecodeError(response) : response
    if (kept === undefined) continue
    const headers = RESPONSE_HEADERS[status]
    out[status] = headers === undefined ? kept : { ...kept, headers }
  }
  return out
}

/** Drops an optional `_tag` property wherever a schema declares one (only the error classes do). */
const withoutUnsentTags = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutUnsentTags)
  if (!isObject(value)) return value
  const out: Json = {}
  for (const [key, inner] of Object.entries(value)) out[key] = withoutUnsentTags(inner)
  const properties = out["properties"]
  const required = Array.isArray(out["required"]) ? out["required"] : []
  if (isObject(properties) && "_tag" in properties && !required.includes("_tag")) {
    const { _tag: _unsent, ...rest } = properties
    out["properties"] = rest
  }
  return out
}

export const documentTransform = (spec: Json): Json => {
  const paths: Json = {}
  for (const [path, operations] of Object.entries(isObject(spec["paths"]) ? spec["paths"] : {})) {
    if (!isObject(operations)) continue
    const corrected: Json = {}
    for (const [method, operation] of Object.entries(operations)) {
      corrected[method] = isObject(operation) && isObject(operation["responses"])
        ? { ...operation, responses: correctResponses(operation["responses"]) }
        : operation
    }
    paths[path] = corrected
  }
  const components = isObject(spec["components"]) ? spec["components"] : {}
  const schemas = isObject(components["schemas"]) ? { ...components["schemas"] } : {}
  for (const name of DECODE_ERROR_SCHEMAS) delete schemas[name]
  return withoutUnsentTags({ ...spec, paths, components: { ...components, schemas } }) as Json
}
