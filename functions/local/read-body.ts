/**
 * Reads a request body up to `limit` bytes; null as soon as it is larger (the caller answers 413 at once).
 * The rest of an oversized body is read and dropped, so the answer reaches the client instead of a reset.
 * Rejects with RequestAbortedError when the client goes away (or the server cuts it off) mid-body.
 */
import type { IncomingMessage } from 'node:http';

export class RequestAbortedError extends Error {
  readonly code = 'REQUEST_ABORTED';
  constructor() {
    super('the client closed the connection before the request body was complete');
    this.name = 'RequestAbortedError';
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      tooLarge = true;
      chunks.length = 0;
      resolve(null);
    });
    req.once('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.once('error', () => reject(new RequestAbortedError()));
    req.once('close', () => {
      if (!req.complete) reject(new RequestAbortedError());
    });
  });
}
