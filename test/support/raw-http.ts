/**
 * HTTP/1.1 over a bare socket, for tests that must send what `fetch` and `node:http` would refuse or normalise:
 * malformed percent-encoding, duplicated or oversized headers, a Content-Length that promises more than is sent.
 * It reports what came back, including "no answer" (a hang) and a reset connection, so tests can assert on those.
 */
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Sent exactly as given. */
  target: string;
  /** In order; a name may repeat. No Host or Content-Length is added unless `contentLength` says so. */
  headers: Array<[string, string]>;
  body?: Buffer | string;
  /** `'auto'` (default) adds the body's real length; a number sends that value; `'none'` sends no header. */
  contentLength?: 'auto' | 'none' | number;
}

export type RawResponse =
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'reset' | 'closed' | 'timeout'; detail: string };

export async function rawRequest(url: string, request: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const body =
    typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0));
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: ${hostname}:${port}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const length = request.contentLength ?? 'auto';
  if (length === 'auto' && (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(request.method)))
    lines.push(`content-length: ${body.length}`);
  else if (typeof length === 'number') lines.push(`content-length: ${length}`);
  lines.push('connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'utf8');

  return new Promise<RawResponse>((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    let settled = false;
    const finish = (result: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(answerOr('timeout', `no complete answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const answerOr = (kind: 'reset' | 'closed' | 'timeout', detail: string): RawResponse =>
      parseResponse(Buffer.concat(chunks)) ?? { kind, detail };
    socket.on('connect', () => {
      // The server may answer and close before reading everything (e.g. a refused huge header): that is fine.
      socket.write(Buffer.concat([head, body]), () => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed?.kind === 'answer' && parsed.complete) finish(parsed);
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(answerOr('reset', `${error.code ?? ''} ${error.message}`.trim())),
    );
    socket.on('end', () => finish(answerOr('closed', 'the connection closed without an answer')));
  }).then((result) => {
    if (result.kind !== 'answer') return result;
    const { complete: _complete, ...answer } = result as typeof result & { complete?: boolean };
    return answer;
  });
}

type Parsed = Extract<RawResponse, { kind: 'answer' }> & { complete: boolean };

/** A response (complete or as much as arrived), or undefined when not even the status line and headers did. */
function parseResponse(data: Buffer): Parsed | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const decoded = decodeChunked(rest);
    return {
      kind: 'answer',
      status,
      headers,
      body: decoded.body.toString('utf8'),
      complete: decoded.complete,
    };
  }
  const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const body = declared === undefined ? rest : rest.subarray(0, declared);
  // Without a length, the body ends when the server closes the connection (the caller sees 'end').
  const complete = declared !== undefined && rest.length >= declared;
  return { kind: 'answer', status, headers, body: body.toString('utf8'), complete };
}

function decodeChunked(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) return { body: Buffer.concat(parts), complete: false };
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = lineEnd + 2;
    if (data.length < start + size) return { body: Buffer.concat(parts), complete: false };
    parts.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}
