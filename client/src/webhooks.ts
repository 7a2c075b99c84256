/** The webhook routes for JobsClient (API.md "Webhooks (notifications)"). */
import type { Transport } from './transport.ts';
import type { CreatedWebhook, CreateWebhookBody, Webhook, WebhookDelivery } from './types.ts';

const path = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

export class WebhookRequests {
  constructor(private readonly http: Transport) {}

  /** Not retried: a repeat would register a second webhook. */
  create(body: CreateWebhookBody): Promise<CreatedWebhook> {
    return this.http.request<CreatedWebhook>('POST', '/webhooks', { body, retry: false });
  }

  async list(): Promise<Webhook[]> {
    return (await this.http.request<{ webhooks: Webhook[] }>('GET', '/webhooks', { retry: true })).webhooks;
  }

  async delete(id: string): Promise<void> {
    await this.http.request<null>('DELETE', path(id), { retry: true });
  }

  /** Not retried: each call queues one more test event. */
  async test(id: string): Promise<WebhookDelivery> {
    return (
      await this.http.request<{ delivery: WebhookDelivery }>('POST', `${path(id)}/test`, { retry: false })
    ).delivery;
  }

  async deliveries(id: string, query: { limit?: number } = {}): Promise<WebhookDelivery[]> {
    const body = await this.http.request<{ deliveries: WebhookDelivery[] }>('GET', `${path(id)}/deliveries`, {
      query,
      retry: true,
    });
    return body.deliveries;
  }
}
