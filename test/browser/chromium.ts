/**
 * Debian's Chromium driven by puppeteer-core (never a browser download), with its fake camera
 * playing a y4m, and a loopback page that serves the SDK bundle. Scoped: closed after each test.
 */
import { Effect, type Scope } from "effect"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import puppeteer, { type Browser } from "puppeteer-core"

export const CHROMIUM = process.env["IAD_CHROMIUM"] ?? "/usr/bin/chromium"

export const launchChromium = (fakeCameraY4m: string): Effect.Effect<Browser, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => {
        if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`)
        return puppeteer.launch({
          executablePath: CHROMIUM,
          headless: true,
          args: [
            // Root in a container has no user namespaces for Chromium's sandbox.
            ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            `--use-file-for-fake-video-capture=${fakeCameraY4m}`
          ]
        })
      },
      catch: (cause) => new Error(`chromium did not start: ${String(cause)}`)
    }),
    (browser) => Effect.promise(() => browser.close())
  )

/** A page on http://127.0.0.1 (a secure context, so camera and WebCrypto work) that serves `bundle`. */
export const servePage = (bundle: string): Effect.Effect<string, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ url: string; close: () => void }, Error>((resume) => {
      const server = createServer((request, response) => {
        if (request.url === "/iad-capture.js") {
          readFile(bundle).then(
            (body) => response.writeHead(200, { "content-type": "text/javascript" }).end(body),
            () => response.writeHead(500).end()
          )
          return
        }
        response.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><meta charset="utf-8"><div id="camera" style="width:640px;height:360px"></div>')
      })
      server.on("error", (error) => resume(Effect.fail(error)))
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/`, close: () => server.close() }))
      })
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ url }) => url))
