/**
 * Claims of a Cryptlex activation token (a JWT signed with the product's RSA key). Times are
 * Unix seconds; 0 means "none" (no expiry, no lease, no grace period). Unknown claims (metadata,
 * meters) are kept but not used.
 */
import * as Schema from "effect/Schema"

const UnixSeconds = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())
const zero = { default: () => 0 } as const

export const ActivationClaims = Schema.Struct({
  /** Activation id: the `{id}` of `PATCH /v3/activations/{id}`. */
  aid: Schema.String.pipe(Schema.minLength(1)),
  /** Product id. */
  pid: Schema.String,
  /** Machine fingerprint the activation is bound to. */
  fp: Schema.String,
  /** License id. */
  lid: Schema.optional(Schema.String),
  /** License key; must equal the configured key. */
  key: Schema.String,
  iat: Schema.optionalWith(UnixSeconds, zero),
  /** License expires at. */
  eat: Schema.optionalWith(UnixSeconds, zero),
  /** Lease expires at (floating licenses). */
  leat: Schema.optionalWith(UnixSeconds, zero),
  /** Server-sync grace period expires at. */
  ssgpeat: Schema.optionalWith(UnixSeconds, zero),
  /** Server sync interval, seconds. */
  ssi: Schema.optionalWith(UnixSeconds, zero),
  /** Allowed clock offset, seconds. */
  aco: Schema.optionalWith(UnixSeconds, zero),
  suspended: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type ActivationClaims = typeof ActivationClaims.Type
