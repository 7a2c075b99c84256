/**
 * HTTP over a plain socket, for requests `fetch` refuses to send (oversized or malformed request lines and
 * headers, a body shorter than its Content-Length): writes the bytes as given and reads the one answer.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** How the connection ended: closed after the answer, or reset by the server. */
  ended: 'answered' | 'reset';
}

export function rawRequest(
  baseUrl: string,
  request: string | Buffer,
  timeoutMs = 30_000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (ended: RawAnswer['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parse(Buffer.concat(chunks).toString('utf8'));
      if (!parsed) return reject(new Error(`no HTTP answer (${ended}): ${Buffer.concat(chunks).toString()}`));
      resolve({ ...parsed, ended });
    };
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete answer (content-length known) settles without waiting for the close.
      const parsed = parse(Buffer.concat(chunks).toString('utf8'));
      if (parsed?.complete) finish('answered');
    });
    socket.on('end', () => finish('answered'));
    socket.on('error', () => finish('reset'));
    socket.write(request);
  });
}

function parse(text: string): (Omit<RawAnswer, 'ended'> & { complete: boolean }) | null {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') return { status, headers, ...dechunk(rest) };
  const length = Number(headers['content-length'] ?? Number.NaN);
  return {
    status,
    headers,
    body: rest,
    complete: Number.isFinite(length) && Buffer.byteLength(rest) >= length,
  };
}

function dechunk(text: string): { body: string; complete: boolean } {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return { body, complete: false };
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (size === 0) return { body, complete: true };
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
