/**
 * Drogon-style size strings ("1024", "1k", "10M", "1G"; "" = no limit) for `client_max_body_size`.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

const SIZE_PATTERN = /^(\d+)([kKmMgG]?)$/
const MULTIPLIER: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** Bytes, or `undefined` for "no limit". */
export const parseByteSize = (text: string): Either.Either<number | undefined, string> => {
  const trimmed = text.trim()
  if (trimmed === "") return Either.right(undefined)
  const match = SIZE_PATTERN.exec(trimmed)
  if (match === null) {
    return Either.left(`"${text}" is not a size: use a whole number of bytes with an optional k, M or G suffix, or "" for no limit`)
  }
  const bytes = Number(match[1]) * MULTIPLIER[match[2]!.toLowerCase()]!
  return Number.isSafeInteger(bytes) ? Either.right(bytes) : Either.left(`"${text}" is too large`)
}

export const ByteSizeString = Schema.String.pipe(
  Schema.filter((text) => Either.match(parseByteSize(text), { onLeft: (message) => message, onRight: () => true }), {
    identifier: "ByteSizeString",
    description: 'A size such as "1024", "1k", "10M" or "1G"; "" means no limit'
  })
)
