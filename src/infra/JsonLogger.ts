/**
 * One JSON object per line: time, level, message and the log annotations (request id, method,
 * path, status, duration...). Written to stdout or to a size-rotated file (`log.log_path`).
 * The minimum level is a setting the logger reads on every call (a logger is synchronous, and
 * fibers keep the FiberRef level they were forked with), kept in step with the configuration by
 * `logLevelFollows`, which subscribes to the config store's changes.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import type { LogLevelName, ServiceConfig } from "../domain/ServiceConfig.js"
import { RotatingFile } from "./RotatingFile.js"

const levelByName: Record<LogLevelName, LogLevel.LogLevel> = {
  TRACE: LogLevel.Trace,
  DEBUG: LogLevel.Debug,
  INFO: LogLevel.Info,
  WARN: LogLevel.Warning,
  ERROR: LogLevel.Error
}

/** The minimum level: read on every log call, set by `logLevelFollows` when the config changes. */
export class LogLevelSetting {
  constructor(public current: LogLevel.LogLevel) {}
  set(name: LogLevelName): void {
    this.current = levelByName[name]
  }
  static of(name: LogLevelName): LogLevelSetting {
    return new LogLevelSetting(levelByName[name])
  }
}

const render = (message: unknown): unknown => {
  if (Array.isArray(message)) return message.length === 1 ? render(message[0]) : message.map(render)
  return message
}

export const makeJsonLogger = (write: (line: string) => void, level: LogLevelSetting) =>
  Logger.make<unknown, void>(({ annotations, cause, date, logLevel, message, spans }) => {
    if (LogLevel.lessThan(logLevel, level.current)) return
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: logLevel.label,
      message: render(message)
    }
    for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = value
    for (const span of List.toArray(spans)) entry[`${span.label}Ms`] = date.getTime() - span.startTime
    if (!Cause.isEmpty(cause)) entry.cause = Cause.pretty(cause, { renderErrorCause: true })
    write(JSON.stringify(entry) + "\n")
  })

/** Replaces the default logger; the file (if any) is closed with the layer. */
export const jsonLoggerLayer = (config: ServiceConfig["log"], level: LogLevelSetting): Layer.Layer<never> =>
  Layer.unwrapScoped(
    Effect.map(
      config.log_path === ""
        ? Effect.succeed((line: string) => void process.stdout.write(line))
        : Effect.acquireRelease(
          Effect.sync(() => new RotatingFile(config.log_path, config.log_size_limit)),
          (file) => Effect.sync(() => file.close())
        ).pipe(Effect.map((file) => (line: string) => file.write(line))),
      (write) =>
        Layer.mergeAll(
          Logger.replace(Logger.defaultLogger, makeJsonLogger(write, level)),
          Logger.minimumLogLevel(LogLevel.All)
        )
    )
  )

/** Keeps `level` at the configuration's `log.log_level`, for as long as the layer lives. */
export const logLevelFollows = (changes: Stream.Stream<ServiceConfig>, level: LogLevelSetting): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.forkScoped(Stream.runForEach(changes, (config) => Effect.sync(() => level.set(config.log.log_level))))
  )
