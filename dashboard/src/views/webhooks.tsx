/**
 * `#/webhooks`: the user's webhook endpoints, each with its recent deliveries (refreshed every few seconds)
 * and a "Send test" button; a form registers a new one and shows its secret once.
 */
import type { Webhook, WebhookDelivery } from '@tiered-job-queue/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatTime } from '../components/format.ts';
import { useServices } from '../data/app-context.ts';
import { jobHref } from '../router.ts';

const EVENTS = ['job.completed', 'job.failed', 'job.dead', 'job.cancelled'] as const;
const REFRESH_MS = 3000;

export function WebhooksView() {
  const { client, report } = useServices();
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [notice, setNotice] = useState('');
  const [generation, setGeneration] = useState(0);
  const refresh = () => setGeneration((g) => g + 1);

  useEffect(() => {
    let stopped = false;
    client.webhooks().then((found) => stopped || setWebhooks(found), report);
    return () => {
      stopped = true;
    };
  }, [client, report, generation]);

  return (
    <section aria-labelledby="webhooks-title">
      <div class="section-head">
        <h1 id="webhooks-title">Webhooks</h1>
      </div>
      <AddWebhook
        onAdded={(secret) => {
          setNotice(`Webhook added. Its secret, shown only now: ${secret}`);
          refresh();
        }}
      />
      <p role="status" class="muted">
        {notice ||
          (webhooks === null ? 'Loading…' : `${webhooks.length} webhook${webhooks.length === 1 ? '' : 's'}.`)}
      </p>
      {webhooks?.map((webhook) => (
        <Endpoint
          key={webhook.id}
          webhook={webhook}
          onRemoved={() => {
            setNotice(`Removed ${webhook.url}.`);
            refresh();
          }}
        />
      ))}
    </section>
  );
}

function AddWebhook({ onAdded }: { onAdded: (secret: string) => void }) {
  const { client, report } = useServices();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<string>>(new Set(EVENTS));
  const submit = (event: Event) => {
    event.preventDefault();
    client
      .createWebhook({
        url,
        events: EVENTS.filter((name) => events.has(name)),
        ...(description && { description }),
      })
      .then(({ secret }) => {
        setUrl('');
        setDescription('');
        onAdded(secret);
      }, report);
  };
  return (
    <form class="panel webhook-form" aria-label="Add a webhook" onSubmit={submit}>
      <label>
        URL{' '}
        <input
          type="url"
          required
          value={url}
          onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
        />
      </label>{' '}
      <label>
        Description{' '}
        <input
          value={description}
          onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((name) => (
          <label key={name}>
            <input
              type="checkbox"
              checked={events.has(name)}
              onChange={(e) => {
                const next = new Set(events);
                (e.currentTarget as HTMLInputElement).checked ? next.add(name) : next.delete(name);
                setEvents(next);
              }}
            />{' '}
            {name}{' '}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary" disabled={events.size === 0}>
        Add webhook
      </button>
    </form>
  );
}

function Endpoint({ webhook, onRemoved }: { webhook: Webhook; onRemoved: () => void }) {
  const { client, report } = useServices();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [generation, setGeneration] = useState(0);
  // Removing stops the refresh first and waits for the one in flight, so no request asks for a deleted webhook.
  const removing = useRef(false);
  const inFlight = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    let stopped = false;
    const load = () => {
      if (removing.current) return;
      inFlight.current = client
        .webhookDeliveries(webhook.id, { limit: 10 })
        .then((found) => stopped || setDeliveries(found), report);
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, report, webhook.id, generation]);

  const remove = () => {
    removing.current = true;
    inFlight.current
      .then(() => client.deleteWebhook(webhook.id))
      .then(onRemoved, (error: unknown) => {
        removing.current = false;
        report(error);
      });
  };

  const title = webhook.description ? `${webhook.description} (${webhook.url})` : webhook.url;
  return (
    <section class="panel webhook" data-webhook-id={webhook.id} aria-label={title}>
      <div class="section-head">
        <h2 class="mono">{title}</h2>
        <div class="actions">
          <button
            type="button"
            onClick={() => client.testWebhook(webhook.id).then(() => setGeneration((g) => g + 1), report)}
          >
            Send test
          </button>
          <button type="button" onClick={remove}>
            Remove
          </button>
        </div>
      </div>
      <p class="muted">
        {webhook.events.join(', ')} · since {formatTime(webhook.createdAt)}
      </p>
      <div class="table-wrap">
        <table aria-label={`Recent deliveries to ${webhook.url}`}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {deliveries?.map((delivery) => (
              <tr key={delivery.id} data-delivery-id={delivery.id} data-status={delivery.status}>
                <td>{formatTime(delivery.at)}</td>
                <td>{delivery.event}</td>
                <td class="mono">
                  {delivery.jobId ? <a href={jobHref(delivery.jobId)}>{delivery.jobId}</a> : '—'}
                </td>
                <td>
                  <span class={`status status-${delivery.status}`}>{delivery.status}</span>
                </td>
                <td>{delivery.attempt}</td>
                <td>{delivery.responseStatus ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deliveries?.length === 0 && <p class="muted">No deliveries yet.</p>}
    </section>
  );
}
