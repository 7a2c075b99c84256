import { describe, expect, it } from 'vitest';
import { InFlightTimer } from '../../../bench/lib/in-flight.ts';

describe('InFlightTimer', () => {
  it('sums the time with at least one request in flight, overlapping requests once', () => {
    let now = 0;
    const timer = new InFlightTimer(() => now);
    timer.begin(); // A at 0
    now = 2;
    timer.begin(); // B at 2, overlaps A
    now = 3;
    timer.end(); // A done
    now = 5;
    timer.end(); // B done: 0..5 in flight
    now = 9;
    expect(timer.elapsed()).toBe(5);
    timer.begin(); // C at 9
    now = 10;
    expect(timer.elapsed()).toBe(6); // the current stretch counts
    now = 12;
    timer.end();
    expect(timer.elapsed()).toBe(8);
  });

  it('refuses an end without a begin', () => {
    expect(() => new InFlightTimer(() => 0).end()).toThrow(/without begin/);
  });

  it('times only the HTTP exchange of a real SDK client, failures included', async () => {
    const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    let now = 100;
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      // A transport that takes 30 ms of the test's clock and fails: nothing leaves the process.
      requestHandler: {
        handle: async () => {
          now += 30;
          throw new Error('offline');
        },
      },
    });
    // Work before the transport (serialising, signing) takes 7 ms: not in flight.
    client.middlewareStack.add(
      (next) => async (args) => {
        now += 7;
        return next(args);
      },
      { step: 'build', name: 'slowBuild' },
    );
    const timer = new InFlightTimer(() => now);
    timer.attach(client);
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow(/offline/);
    expect(timer.elapsed()).toBe(30);
    client.destroy();
  });
});
