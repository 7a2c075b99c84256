/**
 * POSTs one webhook attempt (WebhookSender) with Node's http/https: connected to the address the resolver
 * checked (TLS still verifies the URL's host name), no redirects followed (a 3xx is a failed attempt),
 * the whole attempt bounded by `timeoutMs`, and at most `maxResponseBytes` of the answer read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedTarget, WebhookSender } from '../../usecases/webhooks/ports.ts';

export interface HttpSenderOptions {
  /** A 2xx must arrive within this (API.md: 10 s). */
  timeoutMs: number;
  maxResponseBytes: number;
  userAgent: string;
}

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpSenderOptions) {}

  post(
    target: ResolvedTarget,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number | null; error?: string }> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: { status: number | null; error?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = request(
        target.url,
        {
          method: 'POST',
          lookup: pinned,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': this.options.userAgent,
          },
        },
        (res: IncomingMessage) => {
          finish({ status: res.statusCode ?? null });
          // The answer is read (and dropped) only up to the cap and the timeout, then the socket is closed.
          const drain = setTimeout(() => res.destroy(), this.options.timeoutMs);
          res.on('close', () => clearTimeout(drain));
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > this.options.maxResponseBytes) res.destroy();
          });
          res.on('error', () => undefined);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish({ status: null, error: `no answer within ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
      req.on('error', (error) => finish({ status: null, error: error.message }));
      req.end(body);
    });
  }
}
