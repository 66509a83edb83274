/**
 * Parses `redis://[user:password@]host[:port][/db]` and `rediss://...` (TLS) into connection
 * options. The password stays in `password` only: `description` and every error message leave it
 * out, since both end up in logs.
 */
import * as Either from "effect/Either"

export interface RedisConnection {
  readonly tls: boolean
  /** Bare host name or address (an IPv6 address without its brackets). */
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username: string | undefined
  readonly password: string | undefined
  /** `redis://host:port/db` (or `rediss://`), never with the user or password. */
  readonly description: string
}

export const DEFAULT_REDIS_PORT = 6379

const parseDb = (pathname: string): Either.Either<number, string> => {
  if (pathname === "" || pathname === "/") return Either.right(0)
  const digits = pathname.slice(1)
  if (!/^\d+$/.test(digits) || !Number.isSafeInteger(Number(digits))) {
    return Either.left("the path must be a database number, e.g. /0")
  }
  return Either.right(Number(digits))
}

const decoded = (component: string): string | undefined => {
  if (component === "") return undefined
  try {
    return decodeURIComponent(component)
  } catch {
    return component
  }
}

/** An error message says what is wrong, never the URL itself (it may hold a password). */
export const parseRedisUrl = (raw: string): Either.Either<RedisConnection, string> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return Either.left("it is not a valid URL (check the host and a port of 1-65535)")
  }
  const scheme = url.protocol.toLowerCase()
  if (scheme !== "redis:" && scheme !== "rediss:") return Either.left(`the scheme ${scheme} is not redis: or rediss:`)
  if (url.hostname === "") return Either.left("the host is missing")
  if (url.search !== "" || url.hash !== "") return Either.left("query strings and fragments are not supported")
  const port = url.port === "" ? DEFAULT_REDIS_PORT : Number(url.port)
  if (port < 1) return Either.left("the port must be 1-65535")
  return Either.map(parseDb(url.pathname), (db) => ({
    tls: scheme === "rediss:",
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    db,
    username: decoded(url.username),
    password: decoded(url.password),
    description: `${scheme}//${url.hostname}:${port}/${db}`
  }))
}
