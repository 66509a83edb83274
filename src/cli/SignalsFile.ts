/**
 * `iad-capture build --signals FILE.json`: the file read and checked against CaptureSignals before
 * anything is built, with a mistake reported in one line naming the key (`device.emulatorr: is
 * unexpected, ...`) rather than the whole schema.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { readFile } from "node:fs/promises"
import { CaptureSignals } from "../capture/CaptureContents.js"
import { SignalsFileError } from "./SignalsFileError.js"

const decodeSignals = Schema.decodeUnknownEither(CaptureSignals, { onExcessProperty: "error" })

/** `device.id`, `motion[3][1]`: the path of an issue as a reader would write it. */
const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("")

/** The first issue of a parse error in one line (messages may hold newlines for nested causes). */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "invalid"
  // A value where an object belongs is reported with the object's whole type written out (up to
  // the whole signals schema for a file that is not an object): "an object" says as much.
  const message = issue.message.replace(/\s+/g, " ").replace(/^Expected \{.*\}(?: \| undefined)?, actual /, "Expected an object, actual ")
  return issue.path.length === 0 ? message : `${pathText(issue.path)}: ${message}`
}

/** The file's JSON, checked; returned as read (buildCapture decodes it again). */
export const readSignalsFile = async (file: string): Promise<unknown> => {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new SignalsFileError(`--signals ${file}: cannot be read (${error.code ?? error.message})`)
  })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new SignalsFileError(`--signals ${file}: not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const decoded = decodeSignals(json)
  if (Either.isLeft(decoded)) throw new SignalsFileError(`--signals ${file}: ${describeIssue(decoded.left)}`)
  return json
}
