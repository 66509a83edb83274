/**
 * A subcommand's options described once: node's `parseArgs` reads them and the same table prints
 * the `--help` text, so every option is documented where it is declared.
 */
import { parseArgs } from "node:util"

export interface OptionSpec {
  readonly type: "string" | "boolean"
  /** What the value is, as shown in the usage (`DIR`, `FILE`); absent for boolean flags. */
  readonly value?: string
  readonly description: string
  readonly required?: boolean
  readonly multiple?: boolean
}

export interface CommandSpec {
  readonly name: string
  /** One line, for the list of commands. */
  readonly summary: string
  /** More about the command, for its own help. */
  readonly details?: string
  readonly options: Readonly<Record<string, OptionSpec>>
  /** A positional argument, as shown in the usage (`FILE`). */
  readonly positional?: { readonly name: string; readonly description: string }
}

/** A mistake in how the command was called: answered with the usage and exit code 2. */
export class UsageError extends Error {}

export interface ParsedCommand {
  readonly help: boolean
  readonly strings: (name: string) => ReadonlyArray<string>
  readonly string: (name: string) => string | undefined
  readonly flag: (name: string) => boolean
  readonly positional: string | undefined
}

const optionUsage = (name: string, option: OptionSpec): string => {
  const text = option.value === undefined ? `--${name}` : `--${name} ${option.value}`
  const repeated = option.multiple === true ? `${text} [${text} ...]` : text
  return option.required === true ? repeated : `[${repeated}]`
}

export const usageLine = (program: string, spec: CommandSpec): string =>
  [program, spec.name, ...Object.entries(spec.options).map(([name, option]) => optionUsage(name, option)), ...(spec.positional ? [spec.positional.name] : [])].join(" ")

export const commandHelp = (program: string, spec: CommandSpec): string => {
  const rows: Array<[string, string]> = [
    ...Object.entries(spec.options).map(([name, option]): [string, string] => [
      option.value === undefined ? `--${name}` : `--${name} ${option.value}`,
      `${option.description}${option.required === true ? " (required)" : ""}${option.multiple === true ? " (repeatable)" : ""}`
    ]),
    ...(spec.positional ? [[spec.positional.name, spec.positional.description] as [string, string]] : []),
    ["-h, --help", "show this help"]
  ]
  const width = Math.max(...rows.map(([left]) => left.length))
  return [
    `usage: ${usageLine(program, spec)}`,
    "",
    spec.summary,
    ...(spec.details === undefined ? [] : [spec.details]),
    "",
    "options:",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
  ].join("\n")
}

export const parseCommand = (spec: CommandSpec, args: ReadonlyArray<string>): ParsedCommand => {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [name, { type: option.type, multiple: option.multiple === true }])
  )
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...args], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs' own messages name the option ("Unknown option '--x'", "Option '--out <value>' argument missing").
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0]! : String(error))
  }
  const values = parsed.values as Record<string, string | boolean | Array<string | boolean> | undefined>
  const help = values["help"] === true
  const strings = (name: string): ReadonlyArray<string> => {
    const value = values[name]
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === "string")
  }
  if (!help) {
    for (const [name, option] of Object.entries(spec.options)) {
      if (option.required === true && strings(name).every((v) => v === "")) throw new UsageError(`missing --${name}`)
    }
    const extra = spec.positional === undefined ? parsed.positionals : parsed.positionals.slice(1)
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`)
    if (spec.positional !== undefined && parsed.positionals.length === 0) throw new UsageError(`missing ${spec.positional.name}`)
  }
  return {
    help,
    strings,
    string: (name) => strings(name)[0],
    flag: (name) => values[name] === true,
    positional: parsed.positionals[0]
  }
}
