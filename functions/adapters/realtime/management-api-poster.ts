/**
 * The ConnectionPoster port over API Gateway's management API (PostToConnection). A 410 GoneException means
 * the client left; throttling and server errors are worth a retry; a refused or oversized post is not.
 */
import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConnectionPostError, type ConnectionPoster } from '../../usecases/realtime/ports.ts';

const encoder = new TextEncoder();

export class ManagementApiPoster implements ConnectionPoster {
  readonly #client: ApiGatewayManagementApiClient;

  constructor(client: ApiGatewayManagementApiClient) {
    this.#client = client;
  }

  async post(connectionId: string, data: string): Promise<'sent' | 'gone'> {
    try {
      await this.#client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(data) }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      const permanent = error instanceof ForbiddenException || error instanceof PayloadTooLargeException;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ConnectionPostError(`PostToConnection failed (${reason})`, !permanent, { cause: error });
    }
  }

  async disconnect(connectionId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
    }
  }
}
