/**
 * The local emulators hold users' params and results: they must answer on the loopback address only, never
 * on an address another machine on the developer's network can reach.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, inject, it } from 'vitest';

/** Resolves 'open' when a TCP connection succeeds, else the error code (ECONNREFUSED when nobody listens). */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const externalAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((info) => info && !info.internal && !info.address.startsWith('fe80'))
  .map((info) => info?.address as string);

describe('emulators listen on loopback only', () => {
  const emulators = {
    'DynamoDB Local': Number(new URL(inject('dynamodbEndpoint')).port),
    'the SQS emulator': Number(new URL(inject('sqsEndpoint')).port),
  };

  it('this machine has an address other than loopback to try', () => {
    expect(externalAddresses.length, 'no non-loopback interface address found').toBeGreaterThan(0);
  });

  for (const [name, port] of Object.entries(emulators)) {
    it(`${name} answers on 127.0.0.1 and refuses every other address of this machine`, async () => {
      expect(await probe('127.0.0.1', port)).toBe('open');
      for (const address of externalAddresses)
        expect(await probe(address, port), `${name} on ${address}:${port}`).toBe('ECONNREFUSED');
    });
  }
});
