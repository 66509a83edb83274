/** Writing TLV records of format v1: tag u16, length u32, value, all big-endian. */

export const record = (tag: number, value: Uint8Array): Buffer => {
  const head = Buffer.alloc(6)
  head.writeUInt16BE(tag, 0)
  head.writeUInt32BE(value.length, 2)
  return Buffer.concat([head, value])
}

export const container = (tag: number, records: ReadonlyArray<Uint8Array>): Buffer => record(tag, Buffer.concat(records))

export const u8 = (value: number): Buffer => Buffer.from([value])

export const u16 = (value: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(value)
  return b
}

export const u32 = (value: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(value)
  return b
}

export const u64 = (value: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(value))
  return b
}

export const text = (value: string): Buffer => Buffer.from(value, "utf8")

/** Packed records of a u32 time followed by float32 values. */
export const samples = (rows: ReadonlyArray<ReadonlyArray<number>>, width: number): Buffer => {
  const out = Buffer.alloc(rows.length * width * 4)
  rows.forEach((row, i) => {
    const at = i * width * 4
    out.writeUInt32BE(Math.max(0, Math.round(row[0] ?? 0)), at)
    for (let k = 1; k < width; k++) out.writeFloatBE(row[k] ?? 0, at + k * 4)
  })
  return out
}
