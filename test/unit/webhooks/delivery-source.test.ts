/**
 * The webhook delivery queue's event source is on exactly while some webhook exists: the decision (switch
 * only on a mismatch, never while the mapping is busy or turning the other way), registration turning it
 * on, the last removal turning it off, and the reconcile that repairs whatever went wrong in between.
 */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../functions/core/clock.ts';
import { type EventSourceState, switchAction } from '../../../functions/core/event-source.ts';
import { reconcileDeliveries } from '../../../functions/usecases/webhooks/delivery-source.ts';
import { createWebhook, deleteWebhook } from '../../../functions/usecases/webhooks/manage.ts';
import type { TargetResolver } from '../../../functions/usecases/webhooks/ports.ts';
import {
  MemoryEventSource,
  MemoryWebhookStore,
  memoryDeliverySource,
  plainSealer,
} from '../../support/memory-webhooks.ts';

describe('switchAction', () => {
  it.each<[boolean, EventSourceState, ReturnType<typeof switchAction>]>([
    [true, 'enabled', 'none'],
    [true, 'enabling', 'none'],
    [true, 'disabled', 'enable'],
    [true, 'disabling', 'wait'],
    [true, 'busy', 'wait'],
    [false, 'disabled', 'none'],
    [false, 'disabling', 'none'],
    [false, 'enabled', 'disable'],
    [false, 'enabling', 'wait'],
    [false, 'busy', 'wait'],
  ])('wanted %s, mapping %s: %s', (wanted, state, action) => {
    expect(switchAction(wanted, state)).toBe(action);
  });
});

const resolver: TargetResolver = {
  resolve: async (url) => ({ url: new URL(url), address: '93.184.216.34', family: 4 }),
};

function setup(state?: EventSourceState) {
  const store = new MemoryWebhookStore();
  const deliveries = memoryDeliverySource(store, new MemoryEventSource(state));
  const manage = { store, sealer: plainSealer, resolver, clock: new TestClock(), deliveries };
  const register = async (userId: string) =>
    (await createWebhook(manage, userId, { url: 'https://hooks.example.com/' })).webhook.id;
  return { store, source: deliveries.source, deliveries, manage, register };
}

describe('the delivery event source follows the registrations', () => {
  it('is enabled by the first registration only, and disabled by the last removal only', async () => {
    const { source, manage, register } = setup();
    const first = await register('u1');
    expect(source.switches).toEqual([true]);
    const second = await register('u2');
    expect(source.switches).toEqual([true]);

    await deleteWebhook(manage, 'u1', first);
    expect(source.switches).toEqual([true]);
    await deleteWebhook(manage, 'u2', second);
    expect(source.switches).toEqual([true, false]);
    expect(source.current).toBe('disabled');
  });

  it('registers even when the switch fails, and the reconcile enables it later', async () => {
    const { source, deliveries, register } = setup();
    source.failNext = true;
    const id = await register('u1');
    expect(id).toBeTruthy();
    expect(source.current).toBe('disabled');

    expect(await reconcileDeliveries(deliveries)).toBe('enable');
    expect(source.current).toBe('enabled');
    expect(await reconcileDeliveries(deliveries)).toBe('none');
    expect(source.switches).toEqual([true]);
  });

  it('waits while a deployment updates the mapping, then switches on the next run', async () => {
    const { source, deliveries, register } = setup('busy');
    await register('u1');
    expect(source.switches).toEqual([]);
    expect(await reconcileDeliveries(deliveries)).toBe('wait');
    // The deployment left it disabled (the template's Enabled: false).
    source.current = 'disabled';
    expect(await reconcileDeliveries(deliveries)).toBe('enable');
    expect(source.current).toBe('enabled');
  });

  it('disables a mapping that runs with no webhook, and reports a failure without throwing', async () => {
    const { source, deliveries } = setup('enabled');
    source.failNext = true;
    expect(await reconcileDeliveries(deliveries)).toBe('failed');
    expect(await reconcileDeliveries(deliveries)).toBe('disable');
    expect(source.current).toBe('disabled');
  });

  it('a removal of a missing webhook is a 404 and switches nothing', async () => {
    const { source, manage, register } = setup();
    await register('u1');
    await expect(deleteWebhook(manage, 'u1', 'nope')).rejects.toMatchObject({ statusCode: 404 });
    expect(source.switches).toEqual([true]);
  });
});
