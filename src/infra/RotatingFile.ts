/**
 * An append-only log file rotated by size: `service.log` -> `service.log.1` -> ... (kept: 5).
 * Hand-written because Effect's loggers write to the console only and the rotation needed here
 * (Drogon's `log_size_limit`) is a dozen lines; pulling a logging framework in would duplicate
 * Effect's Logger.
 */
import * as fs from "node:fs"
import * as path from "node:path"

const KEPT_FILES = 5

export class RotatingFile {
  private fd: number
  private size: number

  constructor(private readonly file: string, private readonly sizeLimit: number) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.fd = fs.openSync(file, "a", 0o640)
    this.size = fs.fstatSync(this.fd).size
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line)
    if (this.size > 0 && this.size + bytes > this.sizeLimit) this.rotate()
    fs.writeSync(this.fd, line)
    this.size += bytes
  }

  close(): void {
    fs.closeSync(this.fd)
  }

  private rotate(): void {
    fs.closeSync(this.fd)
    for (let index = KEPT_FILES - 1; index >= 1; index--) {
      const from = index === 1 ? this.file : `${this.file}.${index - 1}`
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${index}`)
    }
    this.fd = fs.openSync(this.file, "a", 0o640)
    this.size = 0
  }
}
