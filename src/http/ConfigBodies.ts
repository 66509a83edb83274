/**
 * The wire shapes of `/config`, derived from the config Schema (src/domain/ServiceConfig.ts) so
 * that the document and the service cannot drift apart. A patch is checked against
 * `ConfigPatch` here (shape: known keys, right types); the config store then validates the merged
 * result as a whole (meaning: ranges, files, the license's key-or-key_file).
 */
import { Schema } from "effect"
import { DetectionConfig } from "../domain/DetectionConfig.js"
import { FaceThresholds } from "../domain/FaceThresholds.js"
import { LicenseConfig } from "../domain/LicenseConfig.js"
import { LogConfig, ServiceConfig } from "../domain/ServiceConfig.js"

const { detection: _detection, face: _face, license: _license, log: _log, ...topLevel } = ServiceConfig.fields

/** Any subset of the keys, sections included: merged over the file as it is. */
export const ConfigPatch = Schema.extend(
  Schema.partial(Schema.Struct(topLevel)),
  Schema.Struct({
    log: Schema.optional(Schema.partial(LogConfig)),
    face: Schema.optional(Schema.partial(FaceThresholds)),
    detection: Schema.optional(Schema.partial(DetectionConfig)),
    license: Schema.optional(Schema.partial(Schema.encodedSchema(LicenseConfig)))
  })
).annotations({ identifier: "ConfigPatch", description: "Partial configuration merged over config.json" })

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
