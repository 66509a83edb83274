/**
 * Certificates for the `tls` section: read at start (a missing or bad file fails start-up naming
 * it) and again on SIGHUP, when the new ones replace the old for new connections only; open
 * connections keep theirs. A reload that fails keeps the old certificates and logs why.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import type * as https from "node:https"
import * as tls from "node:tls"
import { MIN_TLS_VERSION, type TlsConfig } from "../domain/TlsConfig.js"

export class TlsFilesError extends Data.TaggedError("TlsFilesError")<{ readonly message: string }> {}

export type TlsMaterial = Pick<https.ServerOptions, "cert" | "key" | "ca">

const readPem = (key: string, file: string): Buffer => {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new TlsFilesError({ message: `tls.${key} ${JSON.stringify(file)} cannot be read (${reason})` })
  }
}

/** Reads the PEM files and checks that they make a usable context (the key matches the certificate...). */
export const loadTlsMaterial = (config: TlsConfig): Effect.Effect<TlsMaterial, TlsFilesError> =>
  Effect.try({
    try: () => {
      const material: TlsMaterial = {
        cert: readPem("cert_file", config.cert_file),
        key: readPem("key_file", config.key_file),
        ...(config.ca_file === undefined ? {} : { ca: readPem("ca_file", config.ca_file) })
      }
      try {
        tls.createSecureContext({ ...material, minVersion: MIN_TLS_VERSION })
      } catch (error) {
        // OpenSSL's reason ("key values mismatch", "no start line") never includes key material.
        const reason = error instanceof Error ? error.message : String(error)
        throw new TlsFilesError({
          message: `tls.cert_file ${JSON.stringify(config.cert_file)} / tls.key_file ${
            JSON.stringify(config.key_file)
          } are not a usable certificate and key (${reason})`
        })
      }
      return material
    },
    catch: (error) => error instanceof TlsFilesError ? error : new TlsFilesError({ message: String(error) })
  })

/** Server options for HTTPS: the material, TLS 1.2 at least, client certificates when a CA is given. */
export const httpsOptions = (config: TlsConfig, material: TlsMaterial): https.ServerOptions => ({
  ...material,
  minVersion: MIN_TLS_VERSION,
  ...(config.ca_file === undefined ? {} : { requestCert: true, rejectUnauthorized: true })
})

/** Reloads the certificates on every SIGHUP for as long as the scope is open. */
export const reloadOnHangup = (
  server: tls.Server,
  config: TlsConfig
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const reload = loadTlsMaterial(config).pipe(
      Effect.flatMap((material) => Effect.sync(() => server.setSecureContext(httpsOptions(config, material)))),
      Effect.zipRight(Effect.logInfo("tls: certificates reloaded")),
      Effect.catchAll((error) => Effect.logWarning(`tls: reload failed, keeping the previous certificates: ${error.message}`)),
      Effect.annotateLogs({ certFile: config.cert_file })
    )
    const onHangup = () => void runFork(reload)
    yield* Effect.acquireRelease(
      Effect.sync(() => process.on("SIGHUP", onHangup)),
      () => Effect.sync(() => process.off("SIGHUP", onHangup))
    )
  })
