/**
 * The `sessions` and `demo` sections of the service configuration. Both are read on every
 * request, so a change made through `POST /config` applies at once.
 */
import * as Schema from "effect/Schema"

/** An origin as a browser sends it: scheme, host, optional port; no path. */
export const WebOrigin = Schema.String.pipe(
  Schema.maxLength(200),
  Schema.pattern(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, {
    message: () => "an origin such as https://shop.example or http://127.0.0.1:8080 (scheme, host, optional port)"
  })
)

export const SessionsConfig = Schema.Struct({
  /** Lifetime of a session token, seconds: from `POST /sessions` to the capture reaching the service. */
  ttl_seconds: Schema.Int.pipe(Schema.between(1, 3600)),
  /** Origins a session may be bound to; empty: any origin, or none. */
  allowed_origins: Schema.Array(WebOrigin)
})
export type SessionsConfig = typeof SessionsConfig.Type

export const defaultSessionsConfig: SessionsConfig = { ttl_seconds: 120, allowed_origins: [] }

export const DemoConfig = Schema.Struct({
  /** Serve the demo page and its loopback-only session endpoint (`npm run demo`). */
  enabled: Schema.Boolean
})
export type DemoConfig = typeof DemoConfig.Type

export const defaultDemoConfig: DemoConfig = { enabled: false }
