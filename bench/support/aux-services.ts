/**
 * The SQS emulator (fauxqs) and a stand-in for API Gateway's management API, in a process of their own, so
 * that an in-process measurement of the handlers (process.cpuUsage) does not count their work. The stand-in
 * answers every `POST /@connections/{id}` with 200, as API Gateway does for a live connection.
 *
 *   node --import tsx bench/support/aux-services.ts   → prints {"sqsEndpoint", "managementEndpoint"}, runs until stdin closes
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSqsEmulator } from '../../functions/local/emulators/sqs-emulator.ts';

const sqs = await startSqsEmulator({});
let posts = 0;
const management = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    posts++;
    res.writeHead(req.method === 'POST' ? 200 : 204, { 'content-type': 'application/json' });
    res.end();
  });
});
await new Promise<void>((resolve) => management.listen(0, '127.0.0.1', () => resolve()));
const { port } = management.address() as AddressInfo;
process.stdout.write(
  `${JSON.stringify({ sqsEndpoint: sqs.endpoint, managementEndpoint: `http://127.0.0.1:${port}` })}\n`,
);

const shutdown = async () => {
  management.close();
  await sqs.stop();
  process.stderr.write(`aux-services: ${posts} management posts\n`);
  process.exit(0);
};
process.stdin.on('end', () => void shutdown());
process.stdin.on('close', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());
