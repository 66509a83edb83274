/**
 * Which encoder wrote a JPEG, from its quantisation tables. The reference SDK encodes with
 * libjpeg(-turbo) and the standard tables of ITU-T T.81 Annex K scaled by the IJG quality rule;
 * a frame re-encoded by another tool (mozjpeg's default tables, a photo editor, a screen grabber)
 * or at a lower quality carries other tables.
 */
import type { QuantTable } from "../Forensics.js"

/** T.81 Annex K, natural (row-major) order. */
const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100,
  103, 99
]
const CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...Array<number>(32).fill(99)
]
/** Zig-zag position -> natural index (libjpeg's jpeg_natural_order). */
const NATURAL_ORDER = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49,
  56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
]

/** libjpeg's jpeg_quality_scaling and jpeg_add_quant_table (baseline: values clamped to 1..255). */
export const ijgTable = (base: ReadonlyArray<number>, quality: number): Array<number> => {
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2
  return NATURAL_ORDER.map((natural) => Math.min(255, Math.max(1, Math.floor((base[natural]! * scale + 50) / 100))))
}

const sameValues = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.length === b.length && a.every((v, i) => v === b[i])

/**
 * The IJG quality (1..100) whose standard tables these are, or `undefined` when they are not
 * standard tables (table 0 luma; table 1, when present, chroma at the same quality).
 */
export const ijgQualityOf = (tables: ReadonlyArray<QuantTable>): number | undefined => {
  const luma = tables.find((t) => t.id === 0)
  if (luma === undefined) return undefined
  const chroma = tables.find((t) => t.id === 1)
  for (let quality = 100; quality >= 1; quality--) {
    if (!sameValues(luma.values, ijgTable(LUMA, quality))) continue
    if (chroma !== undefined && !sameValues(chroma.values, ijgTable(CHROMA, quality))) return undefined
    return quality
  }
  return undefined
}

/** One fingerprint per distinct set of tables, to tell whether every frame came from one encoder. */
export const tablesKey = (tables: ReadonlyArray<QuantTable>): string =>
  tables.map((t) => `${t.id}:${t.precision}:${t.values.join(",")}`).sort().join("|")

/** The standard tables (luma id 0, chroma id 1) at an IJG quality, as a DQT segment stores them. */
export const ijgTables = (quality: number): Array<QuantTable> => [
  { id: 0, precision: 0, values: ijgTable(LUMA, quality) },
  { id: 1, precision: 0, values: ijgTable(CHROMA, quality) }
]
