/**
 * The optional `tls` section of config.json: HTTPS on the service's own port. Files are PEM and
 * are read at start and again on SIGHUP (a new certificate without a restart); changing the paths
 * themselves needs a restart. Relative paths resolve against the working directory.
 */
import * as Schema from "effect/Schema"

const FilePath = Schema.String.pipe(Schema.minLength(1))

export const TlsConfig = Schema.Struct({
  /** The server certificate, followed by its intermediates (PEM). */
  cert_file: FilePath,
  /** The private key of `cert_file` (PEM, unencrypted); readable by the service only. */
  key_file: FilePath,
  /** CA bundle (PEM) for client certificates: when set, every client must present one it signed (mutual TLS). */
  ca_file: Schema.optional(FilePath)
})
export type TlsConfig = typeof TlsConfig.Type

/** Oldest protocol accepted: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const MIN_TLS_VERSION = "TLSv1.2"
