import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../../functions/usecases/realtime/client-messages.ts';

describe('client messages', () => {
  it('reads every action of the contract', () => {
    expect(parseClientMessage('subscribe', '{"action":"subscribe","jobId":"j-1"}')).toEqual({
      ok: true,
      message: { action: 'subscribe', jobId: 'j-1' },
    });
    expect(parseClientMessage('subscribe', '{"action":"subscribe","all":true}')).toEqual({
      ok: true,
      message: { action: 'subscribe', all: true },
    });
    expect(parseClientMessage('unsubscribe', '{"action":"unsubscribe","jobId":"j-1"}')).toEqual({
      ok: true,
      message: { action: 'unsubscribe', jobId: 'j-1' },
    });
    expect(parseClientMessage('ping', '{"action":"ping"}')).toEqual({
      ok: true,
      message: { action: 'ping' },
    });
  });

  it('serves a known action that reached $default (a route missing from the API)', () => {
    expect(parseClientMessage('$default', '{"action":"ping"}')).toEqual({
      ok: true,
      message: { action: 'ping' },
    });
  });

  it('keeps the error short when the client sends a huge action', () => {
    const parsed = parseClientMessage('$default', JSON.stringify({ action: 'x'.repeat(100_000) }));
    expect(parsed.ok === false && parsed.message.length).toBeLessThan(200);
  });

  it.each([
    ['not JSON', '$default', 'hello'],
    ['not an object', '$default', '[1,2]'],
    ['an unknown action', '$default', '{"action":"dance"}'],
    ['no action', '$default', '{"jobId":"j-1"}'],
    ['both jobId and all', 'subscribe', '{"action":"subscribe","jobId":"j-1","all":true}'],
    ['neither jobId nor all', 'subscribe', '{"action":"subscribe"}'],
    ['all: false', 'subscribe', '{"action":"subscribe","all":false}'],
    ['a jobId that is not a string', 'unsubscribe', '{"action":"unsubscribe","jobId":7}'],
    ['a jobId that is too long', 'subscribe', `{"action":"subscribe","jobId":"${'x'.repeat(65)}"}`],
  ])('refuses %s', (_name, routeKey, body) => {
    const parsed = parseClientMessage(routeKey, body);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.message.length).toBeGreaterThan(0);
  });
});
