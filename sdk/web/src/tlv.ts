/** TLV records of capture format v1 (tag u16, length u32, big-endian), on plain Uint8Arrays. */

/** Bytes over a plain ArrayBuffer, which is what WebCrypto accepts. */
export type Bytes = Uint8Array<ArrayBuffer>

export const concat = (parts: ReadonlyArray<Uint8Array>): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export const record = (tag: number, value: Uint8Array): Bytes => {
  const out = new Uint8Array(6 + value.length)
  const view = new DataView(out.buffer)
  view.setUint16(0, tag)
  view.setUint32(2, value.length)
  out.set(value, 6)
  return out
}

export const container = (tag: number, records: ReadonlyArray<Uint8Array>): Bytes => record(tag, concat(records))

const fixed = (bytes: number, write: (view: DataView) => void): Bytes => {
  const out = new Uint8Array(bytes)
  write(new DataView(out.buffer))
  return out
}

export const u8 = (value: number) => fixed(1, (v) => v.setUint8(0, value))
export const u16 = (value: number) => fixed(2, (v) => v.setUint16(0, value))
export const u32 = (value: number) => fixed(4, (v) => v.setUint32(0, value))
export const u64 = (value: number) => fixed(8, (v) => v.setBigUint64(0, BigInt(value)))

const encoder = new TextEncoder()

/** UTF-8, cut to at most `maxBytes` without splitting a character. */
export const text = (value: string, maxBytes: number): Uint8Array => {
  let out = encoder.encode(value)
  let chars = value
  while (out.length > maxBytes) {
    chars = chars.slice(0, -1)
    out = encoder.encode(chars)
  }
  return out
}

/** Packed records: a u32 time (ms) then float32 values. */
export const samples = (rows: ReadonlyArray<ReadonlyArray<number>>, width: number): Uint8Array => {
  const out = new Uint8Array(rows.length * width * 4)
  const view = new DataView(out.buffer)
  rows.forEach((row, i) => {
    const at = i * width * 4
    view.setUint32(at, Math.max(0, Math.round(row[0] ?? 0)))
    for (let k = 1; k < width; k++) {
      const value = row[k] ?? 0
      view.setFloat32(at + k * 4, Number.isFinite(value) ? value : 0)
    }
  })
  return out
}
