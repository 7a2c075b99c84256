/** GET /agents: every registered agent command with its params as JSON Schema. */
import { agents } from '../../agents/index.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import * as z from '../../core/zod.ts';
import { logger } from '../../wiring/logger.ts';

/** Built on the first request, not at import: the JSON Schemas are not needed for the cold start. */
let body: unknown;
const agentsBody = () =>
  (body ??= {
    agents: agents.list().map(({ type, commands }) => ({
      type,
      commands: commands.map(({ name, command }) => ({
        name,
        description: command.description,
        paramsSchema: z.toJSONSchema(command.params, { io: 'input', unrepresentable: 'any' }),
      })),
    })),
  });

export const handler = httpHandler({ access: 'user', logger }, async () => json(200, agentsBody()));
