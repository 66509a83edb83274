/**
 * `{message}` answers for requests that never reach the app: Node's HTTP parser errors, timeouts,
 * unknown `Expect` values and undecodable URLs. Node's own answers to these have empty bodies;
 * the contract wants every error as `{"message": ...}`.
 */
import type * as http from "node:http"
import type { Duplex } from "node:stream"

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  417: "Expectation Failed",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable"
}

const SECURITY_HEADERS = { "content-type": "application/json", "x-content-type-options": "nosniff" }

/** The status and public message for an error Node reports on `clientError`. */
export const clientErrorAnswer = (error: Error & { code?: string; reason?: string }, requestTimeoutSeconds: number) => {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, message: "Request headers are too large" }
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { status: 413, message: "Chunk extensions are too large" }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, message: `The request was not received within request_timeout (${requestTimeoutSeconds} s)` }
    default:
      // llhttp's reason ("Invalid header value char", ...) names the fault and echoes no client data.
      return { status: 400, message: `Malformed HTTP request${error.reason === undefined ? "" : `: ${error.reason}`}` }
  }
}

/** Writes a whole response straight to the socket and closes it: the parser's state is unusable. */
export const answerOnSocket = (socket: Duplex, status: number, message: string): void => {
  const body = JSON.stringify({ message })
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`,
    ...Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close"
  ].join("\r\n")
  socket.end(`${head}\r\n\r\n${body}`)
  // A client that never reads must not keep the socket: cut it once the answer had its chance.
  setTimeout(() => socket.destroy(), 1000).unref()
}

/** Answers through Node's response object (the request was parsed); the connection is closed after. */
export const answerOnResponse = (
  response: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {}
): void => {
  const body = JSON.stringify({ message })
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    "content-length": String(Buffer.byteLength(body)),
    connection: "close"
  })
  response.end(body)
}

/** True when every %-escape of the URL's path decodes (the router would otherwise answer an empty 404). */
export const hasDecodableUrl = (url: string | undefined): boolean => {
  try {
    decodeURIComponent((url ?? "/").split("?")[0]!)
    return true
  } catch {
    return false
  }
}
