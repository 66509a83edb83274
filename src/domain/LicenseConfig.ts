/**
 * The `license` section of config.json: how to reach Cryptlex and where the license lives.
 * Every key needs a restart (see `restartKeys` in ServiceConfig.ts). Relative paths resolve
 * against the working directory of the service.
 */
import * as Schema from "effect/Schema"

export const DEFAULT_LICENSE_HOST = "https://api.cryptlex.com"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))
const Seconds = Schema.Number.pipe(Schema.positive(), Schema.finite())

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"])

/** https anywhere; plain http only towards loopback (test servers), never over a network. */
export const isAcceptableHost = (value: string): boolean => {
  try {
    const url = new URL(value)
    if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") return false
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))
  } catch {
    return false
  }
}

export const LicenseHost = Schema.String.pipe(
  Schema.filter((value) => isAcceptableHost(value) || "must be an https:// base URL (http:// only for 127.0.0.1 or localhost)")
)

export const LicenseConfig = Schema.Struct({
  /** The license key itself. Exactly one of `key` and `key_file`. Redacted by `/config`. */
  key: Schema.optional(NonEmpty),
  /** A file holding the license key (the description asks for mode 644 or stricter). */
  key_file: Schema.optional(NonEmpty),
  product_id: NonEmpty,
  /** The product's RSA public key (PEM) that signs activation tokens. */
  public_key_file: NonEmpty,
  /** Base URL; the client appends `/v3/...`. EU: https://api.eu.cryptlex.com, or on-premise. */
  host: Schema.optionalWith(LicenseHost, { default: () => DEFAULT_LICENSE_HOST }),
  /** Seconds one request to the license server may take. */
  request_timeout: Schema.optionalWith(Seconds, { default: () => 10 }),
  /** Seconds between attempts while activation or sync keeps failing. */
  retry_interval: Schema.optionalWith(Seconds, { default: () => 60 }),
  /** Writable directory for the cached activation token, last-seen time and machine id. */
  license_dir: Schema.optionalWith(NonEmpty, { default: () => "license" }),
  /** Release the activation on shutdown (floating licenses). */
  deactivate_on_shutdown: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).pipe(
  Schema.filter((section) =>
    (section.key === undefined) !== (section.key_file === undefined) || "set exactly one of key and key_file"
  )
)
export type LicenseConfig = typeof LicenseConfig.Type
