/** Posting to WebSocket clients through the management API at WS_MANAGEMENT_ENDPOINT, built once. */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ManagementApiPoster } from '../adapters/realtime/management-api-poster.ts';
import { wsManagementEndpoint } from './realtime-config.ts';

export const managementApi = new ApiGatewayManagementApiClient({ endpoint: wsManagementEndpoint() });
export const poster = new ManagementApiPoster(managementApi);
