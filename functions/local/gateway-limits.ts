/**
 * What API Gateway refuses before any handler runs, and how it answers: its own status and a
 * `{"message": ...}` body (shared/API.md, Errors), never an empty reply, a hang or a reset connection.
 *
 * Documented limits (HTTP API quotas; Lambda quotas; WebSocket API quotas):
 * - "Total combined size of request line and header values: 10240 bytes" (HTTP API);
 * - a synchronous Lambda invocation's payload: 6 MB, below the HTTP API's own 10 MB payload limit, so the
 *   6 MB one is what a Lambda-backed route meets first;
 * - WebSocket frames 32 KB (close 1009), messages 128 KB, and connection URLs of at most 4,096 characters.
 * The status each refusal gets is the standard HTTP one for that limit with API Gateway's body shape; where
 * AWS does not document the answer (the header and URL limits, a body that never arrives) the comment at
 * the constant says what was chosen and why.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Request line plus header values, as API Gateway's HTTP API counts them. */
export const MAX_REQUEST_LINE_AND_HEADERS_BYTES = 10_240;
/** Lambda's synchronous invocation payload limit (6 MB), met before the HTTP API's 10 MB. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** API Gateway WebSocket connection URL limit. */
export const MAX_WS_URL_CHARS = 4_096;
/** API Gateway WebSocket frame limit: a larger frame closes the connection with 1009. */
export const MAX_WS_FRAME_BYTES = 32 * 1024;
/**
 * How long a client may take to send its whole request. API Gateway does not document what happens to a
 * request whose body never arrives (its front end gives up); the closest documented limit is the HTTP
 * API's 30 s integration timeout, and the answer chosen is 408, the status for exactly this case.
 */
export const REQUEST_RECEIVE_TIMEOUT_MS = 30_000;
/**
 * Node's own parser limit, kept far above API Gateway's so that oversized requests are parsed and answered
 * precisely (414 or 431) by `headerLimitRefusal`; only beyond it does `answerClientError` have to guess.
 */
export const NODE_MAX_HEADER_BYTES = 1024 * 1024;

export interface Refusal {
  status: number;
  body: { message: string };
}

/** API Gateway's messages use the classic reason phrases (`Request Entity Too Large`, not Node's newer ones). */
const MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  431: 'Request Header Fields Too Large',
};

export const refusal = (status: number): Refusal => ({
  status,
  body: { message: MESSAGES[status] ?? STATUS_CODES[status] ?? 'Error' },
});

/** The request line and header values of a parsed request, in bytes, as API Gateway's quota counts them. */
export function requestLineAndHeaderBytes(
  method: string,
  url: string,
  httpVersion: string,
  rawHeaders: string[],
): number {
  let size = Buffer.byteLength(`${method} ${url} HTTP/${httpVersion}`);
  for (let i = 1; i < rawHeaders.length; i += 2) size += Buffer.byteLength(rawHeaders[i] ?? '');
  return size;
}

/** 414 when the request line alone is over the limit, 431 when the headers push it over, else null. */
export function headerLimitRefusal(requestLineBytes: number, totalBytes: number): Refusal | null {
  if (requestLineBytes > MAX_REQUEST_LINE_AND_HEADERS_BYTES) return refusal(414);
  if (totalBytes > MAX_REQUEST_LINE_AND_HEADERS_BYTES) return refusal(431);
  return null;
}

/** Writes a complete HTTP/1.1 response on a raw socket and closes it (no request object exists). */
export function writeRawRefusal(socket: Duplex, { status, body }: Refusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${body.message}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/**
 * The server's 'clientError' handler: Node's parser or timers refused the request before a handler saw
 * it. Node's defaults are an empty 431/400/408 or a reset; API Gateway answers with a body.
 */
export function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Duplex,
): void {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      socket.destroy();
      return;
    case 'HPE_HEADER_OVERFLOW': {
      // Over a megabyte of request line and headers: the packet that overflowed tells whether the request
      // line was still being read (no line break yet, or the line ends with the HTTP version).
      const packet = error.rawPacket?.toString('latin1') ?? '';
      const lineEnd = packet.indexOf('\r\n');
      const stillInRequestLine =
        lineEnd < 0 ? /^[A-Z]+ \S/.test(packet) : / HTTP\/\d\.\d$/.test(packet.slice(0, lineEnd));
      writeRawRefusal(socket, refusal(stillInRequestLine ? 414 : 431));
      return;
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      writeRawRefusal(socket, refusal(408));
      return;
    default:
      writeRawRefusal(socket, refusal(400));
  }
}
