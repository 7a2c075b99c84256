/**
 * The part of the Lambda API that the tier pause routes call, served on loopback for the local stack:
 * GetEventSourceMapping and UpdateEventSourceMapping (`Enabled` only) on the local SQS pollers, which
 * stand in for the deployed event source mappings. The handlers reach it through the standard
 * AWS_ENDPOINT_URL_LAMBDA variable with the same SDK call they make deployed. Anything else: 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One local mapping: a tier queue's poller under the UUID the handlers know it by. */
export interface LocalEventSourceMapping {
  uuid: string;
  eventSourceArn: string;
  functionArn: string;
  batchSize: number;
  readonly enabled: boolean;
  setEnabled(enabled: boolean): void;
}

const PATH = /^\/2015-03-31\/event-source-mappings\/([^/?]+)$/;

export interface EventSourceMappingsApi {
  endpoint: string;
  /** Serves a mapping from now on (the pollers start after the API, whose URL the handlers need first). */
  register(mapping: LocalEventSourceMapping): void;
  stop(): Promise<void>;
}

export async function startEventSourceMappingsApi(host = '127.0.0.1'): Promise<EventSourceMappingsApi> {
  const byUuid = new Map<string, LocalEventSourceMapping>();
  const modified = new Map<string, number>();
  const server = createServer((request, response) => {
    serve(request, response, byUuid, modified).catch(() => reply(response, 500, error('ServiceException')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    register: (mapping) => void byUuid.set(mapping.uuid, mapping),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  byUuid: Map<string, LocalEventSourceMapping>,
  modified: Map<string, number>,
): Promise<void> {
  const body = await readAll(request);
  const uuid = decodeURIComponent(PATH.exec(new URL(request.url ?? '/', 'http://local').pathname)?.[1] ?? '');
  const mapping = byUuid.get(uuid);
  if (!mapping || (request.method !== 'GET' && request.method !== 'PUT'))
    return reply(
      response,
      404,
      error('ResourceNotFoundException', `The resource you requested does not exist.`),
    );
  if (request.method === 'PUT') {
    let update: { Enabled?: unknown };
    try {
      update = JSON.parse(body || '{}') as { Enabled?: unknown };
    } catch {
      return reply(response, 400, error('InvalidParameterValueException', 'The request body is not JSON.'));
    }
    if (typeof update.Enabled === 'boolean') {
      mapping.setEnabled(update.Enabled);
      modified.set(uuid, Date.now() / 1000);
    }
    return reply(response, 202, view(mapping, modified.get(uuid)));
  }
  return reply(response, 200, view(mapping, modified.get(uuid)));
}

/** EventSourceMappingConfiguration; the local switch is immediate, so no Enabling/Disabling state. */
const view = (mapping: LocalEventSourceMapping, lastModified = Date.now() / 1000) => ({
  UUID: mapping.uuid,
  EventSourceArn: mapping.eventSourceArn,
  FunctionArn: mapping.functionArn,
  BatchSize: mapping.batchSize,
  State: mapping.enabled ? 'Enabled' : 'Disabled',
  StateTransitionReason: 'USER_INITIATED',
  LastModified: lastModified,
});

const error = (type: string, message = type) => ({ __type: type, Type: 'User', message });

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const type = (body as { __type?: string }).__type;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(status >= 400 && type && { 'x-amzn-errortype': type }),
  });
  response.end(text);
}

async function readAll(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
