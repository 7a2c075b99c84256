/** The SSRF checks with the deployed setting (allowLocalTargets false) and the local one, on a fake DNS. */
import { describe, expect, it } from 'vitest';
import { DnsTargetResolver, type Lookup } from '../../../functions/adapters/webhooks/target-resolver.ts';
import { TestClock } from '../../../functions/core/clock.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { createWebhook } from '../../../functions/usecases/webhooks/manage.ts';
import { TargetRefusedError } from '../../../functions/usecases/webhooks/ports.ts';
import { MemoryWebhookStore, memoryDeliverySource, plainSealer } from '../../support/memory-webhooks.ts';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'internal.example.com': ['10.0.0.8'],
  'metadata.example.com': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', '127.0.0.1'],
  'v6.example.com': ['2606:4700::6810:84e5'],
};
const lookup: Lookup = async (host) => {
  const addresses = dns[host];
  if (!addresses) throw new Error('ENOTFOUND');
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const deployed = new DnsTargetResolver({ allowLocalTargets: false, lookup });
const local = new DnsTargetResolver({ allowLocalTargets: true, lookup });

describe('webhook targets, deployed', () => {
  it('resolves a public https host and pins the checked address', async () => {
    const target = await deployed.resolve('https://hooks.example.com/in');
    expect(target).toMatchObject({ address: '93.184.215.14', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
    expect((await deployed.resolve('https://v6.example.com/')).family).toBe(6);
  });

  it.each([
    ['http://hooks.example.com/in', /https/],
    ['https://internal.example.com/', /private/],
    ['https://metadata.example.com/latest', /private/],
    ['https://mixed.example.com/', /private/],
    ['https://127.0.0.1/', /private/],
    ['https://[::1]/', /private/],
    ['https://[::ffff:a9fe:a9fe]/', /private/],
    ['https://169.254.169.254/', /private/],
    ['https://nowhere.example.com/', /does not resolve/],
    ['https://user:pw@hooks.example.com/', /credentials/],
    ['hooks.example.com', /valid URL/],
  ])('refuses %s', async (url, reason) => {
    await expect(deployed.resolve(url)).rejects.toThrow(reason);
    await expect(deployed.resolve(url)).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it('answers a registration of a private target with 400 validation_error on url', async () => {
    const store = new MemoryWebhookStore();
    const deps = {
      store,
      sealer: plainSealer,
      resolver: deployed,
      clock: new TestClock(),
      deliveries: memoryDeliverySource(store),
    };
    const refused = createWebhook(deps, 'u1', { url: 'https://internal.example.com/hook' });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ statusCode: 400, details: [{ path: 'url' }] });
    expect(deps.store.webhooks.size).toBe(0);
  });
});

describe('webhook targets, local runtime', () => {
  it('allows http and loopback so a developer can receive webhooks', async () => {
    await expect(local.resolve('http://127.0.0.1:8080/hook')).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(local.resolve('http://internal.example.com/hook')).resolves.toMatchObject({
      address: '10.0.0.8',
    });
    await expect(local.resolve('ftp://127.0.0.1/')).rejects.toThrow(/http or https/);
  });
});
