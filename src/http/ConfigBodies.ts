/**
 * The wire shapes of `/config`, derived from the config Schema (src/domain/ServiceConfig.ts) so
 * that the document and the service cannot drift apart. A patch is checked against
 * `ConfigPatch` here (shape: known keys, right types); the config store then validates the merged
 * result as a whole (meaning: ranges, files, the license's key-or-key_file).
 */
import * as Schema from "effect/Schema"
import { DetectionConfig } from "../domain/DetectionConfig.js"
import { FaceThresholds } from "../domain/FaceThresholds.js"
import { LicenseConfig } from "../domain/LicenseConfig.js"
import { LogConfig, ServiceConfig } from "../domain/ServiceConfig.js"
import { DemoConfig, SessionsConfig } from "../domain/SessionsConfig.js"
import { TlsConfig } from "../domain/TlsConfig.js"

const {
  demo: _demo,
  detection: _detection,
  face: _face,
  license: _license,
  log: _log,
  sessions: _sessions,
  tls: _tls,
  ...topLevel
} = ServiceConfig.fields

/** Each key optional, and `null` (which resets the key to its default, or removes a section). */
const resettable = <Fields extends Record<string, Schema.Schema.Any>>(fields: Fields) =>
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, Schema.optional(Schema.NullOr(schema))])) as {
    readonly [K in keyof Fields]: Schema.optional<Schema.NullOr<Fields[K]>>
  }

/** Any subset of the keys, sections included: merged over the file as it is on disk. */
export const ConfigPatch = Schema.Struct({
  ...resettable(topLevel),
  log: Schema.optional(Schema.NullOr(Schema.Struct(resettable(LogConfig.fields)))),
  face: Schema.optional(Schema.NullOr(Schema.Struct(resettable(FaceThresholds.fields)))),
  detection: Schema.optional(Schema.NullOr(Schema.Struct(resettable(DetectionConfig.fields)))),
  license: Schema.optional(Schema.NullOr(Schema.partial(Schema.encodedSchema(LicenseConfig)))),
  tls: Schema.optional(Schema.NullOr(Schema.partial(TlsConfig))),
  sessions: Schema.optional(Schema.NullOr(Schema.Struct(resettable(SessionsConfig.fields)))),
  demo: Schema.optional(Schema.NullOr(Schema.Struct(resettable(DemoConfig.fields))))
}).annotations({
  identifier: "ConfigPatch",
  description: "Partial configuration merged over config.json; null resets a key to its default or removes a section"
})

/** The effective configuration; secret values (license key) read "<redacted>". */
export const ShownConfig = ServiceConfig.annotations({
  identifier: "ServiceConfig",
  description: "Effective configuration, secrets redacted"
})

export const ConfigUpdated = Schema.Struct({
  message: Schema.String,
  changed: Schema.Array(Schema.String).annotations({ description: "Dotted keys whose value changed" }),
  restartRequired: Schema.Array(Schema.String).annotations({ description: "Changed keys that apply after a restart" }),
  overriddenByEnvironment: Schema.Array(Schema.String).annotations({
    description: "Changed keys whose FACEPHI_IAD_* variable still wins"
  }),
  config: ShownConfig
}).annotations({ identifier: "ConfigUpdated" })
