/**
 * Checks a webhook URL and resolves its host (TargetResolver). Deployed: https only, no credentials in the
 * URL, and every address the host resolves to must be public (core/webhooks/address-policy.ts); the address
 * returned is the one the request is then pinned to, so a DNS answer that changes between the check and the
 * request (DNS rebinding) cannot redirect it. Locally (`allowLocalTargets`) http and private addresses such
 * as http://127.0.0.1 are allowed, so a developer can receive webhooks on their machine.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from '../../core/webhooks/address-policy.ts';
import {
  type ResolvedTarget,
  TargetRefusedError,
  type TargetResolver,
} from '../../usecases/webhooks/ports.ts';

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class DnsTargetResolver implements TargetResolver {
  constructor(private readonly options: { allowLocalTargets: boolean; lookup?: Lookup }) {}

  async resolve(raw: string): Promise<ResolvedTarget> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetRefusedError('not a valid URL');
    }
    const allowed = this.options.allowLocalTargets ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(url.protocol))
      throw new TargetRefusedError(`must be ${this.options.allowLocalTargets ? 'http or https' : 'https'}`);
    if (url.username || url.password) throw new TargetRefusedError('must not carry credentials');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await (this.options.lookup ?? systemLookup)(host);
      } catch {
        throw new TargetRefusedError(`host ${host} does not resolve`);
      }
    }
    const first = addresses[0];
    if (!first) throw new TargetRefusedError(`host ${host} does not resolve`);
    if (!this.options.allowLocalTargets && !addresses.every(({ address }) => isPublicAddress(address)))
      throw new TargetRefusedError('resolves to a private, loopback or link-local address');
    return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}
