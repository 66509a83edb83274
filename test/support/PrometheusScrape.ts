/**
 * Scrapes a Prometheus text endpoint over HTTP and reads samples out of it, for tests that count
 * what the service exported (deltas between two scrapes, since Effect metrics are process-wide).
 */
import { Effect } from "effect"

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Scrape {
  readonly status: number
  readonly contentType: string
  readonly text: string
  readonly samples: ReadonlyArray<Sample>
}

const SAMPLE_LINE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export const parseSamples = (text: string): Array<Sample> =>
  text.split("\n").flatMap((line) => {
    const match = SAMPLE_LINE.exec(line.trim())
    if (line.startsWith("#") || match === null) return []
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, "$1")
    return [{ name: match[1]!, labels, value: Number(match[3]) }]
  })

export const scrape = (url: string, init?: RequestInit): Effect.Effect<Scrape> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", text, samples: parseSamples(text) }
  })

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value)

/** The sample with exactly these labels; `undefined` when the series is absent. */
export const sampleOf = (scraped: Scrape, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined =>
  scraped.samples.find((sample) => sample.name === name && sameLabels(sample.labels, labels))?.value

/** How much a series grew between two scrapes (an absent series counts as 0). */
export const delta = (before: Scrape, after: Scrape, name: string, labels: Readonly<Record<string, string>> = {}): number =>
  (sampleOf(after, name, labels) ?? 0) - (sampleOf(before, name, labels) ?? 0)
