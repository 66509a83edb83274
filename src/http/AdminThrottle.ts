/**
 * Slows down token guessing: a client address that sends too many wrong admin tokens is refused
 * (429 with Retry-After) for a while, whatever token it sends meanwhile; a refusal that depended
 * on the token would tell a guesser when it is right. State is in memory and bounded.
 */

/** A person mistyping gets a few tries; a guesser gets this many per window, not thousands per second. */
export const FAILURES_BEFORE_LOCKOUT = 5
/** Failures further apart than this do not add up. */
export const FAILURE_WINDOW_MS = 60_000
/** How long a client that reached the limit is refused: long enough to make guessing hopeless. */
export const LOCKOUT_MS = 60_000
/** Addresses remembered at once; beyond it the oldest is forgotten, so a flood cannot grow memory. */
export const MAX_TRACKED_CLIENTS = 10_000

interface ClientRecord {
  windowStart: number
  failures: number
  lockedUntil: number
}

export interface BadTokenThrottle {
  /** Milliseconds this address must still wait; 0 when it may try. */
  readonly lockedFor: (address: string, now: number) => number
  readonly recordFailure: (address: string, now: number) => void
  readonly recordSuccess: (address: string) => void
  readonly trackedClients: () => number
}

export const makeBadTokenThrottle = (maxClients = MAX_TRACKED_CLIENTS): BadTokenThrottle => {
  // A Map iterates in insertion order: the first key is the one least recently failed.
  const clients = new Map<string, ClientRecord>()

  const lockedFor = (address: string, now: number): number => {
    const record = clients.get(address)
    if (record === undefined) return 0
    if (record.lockedUntil > now) return record.lockedUntil - now
    if (record.lockedUntil !== 0 || now - record.windowStart >= FAILURE_WINDOW_MS) clients.delete(address)
    return 0
  }

  const recordFailure = (address: string, now: number): void => {
    const previous = clients.get(address)
    const record = previous !== undefined && now - previous.windowStart < FAILURE_WINDOW_MS
      ? previous
      : { windowStart: now, failures: 0, lockedUntil: 0 }
    record.failures += 1
    if (record.failures >= FAILURES_BEFORE_LOCKOUT) record.lockedUntil = now + LOCKOUT_MS
    clients.delete(address)
    if (clients.size >= maxClients) {
      const oldest = clients.keys().next()
      if (oldest.done !== true) clients.delete(oldest.value)
    }
    clients.set(address, record)
  }

  return {
    lockedFor,
    recordFailure,
    recordSuccess: (address) => {
      clients.delete(address)
    },
    trackedClients: () => clients.size
  }
}
