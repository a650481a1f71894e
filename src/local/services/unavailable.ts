/**
 * A stand-in for a service that cannot run here (DynamoDB Local without Java): it answers every
 * request with 503 in the service's own error shape, carrying the reason. The functions still get a
 * local endpoint for it, so their SDK calls fail at once with a message that says what to install,
 * instead of going to real AWS or hanging on a refused port.
 */
import { createServer } from 'node:http';
import { errorReply } from './errorShapes';
import type { ServiceName } from './process';

export async function startUnavailableService(service: ServiceName, host: string, reason: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    const reply = errorReply(service, 503, 'ServiceUnavailable', `Larder: local ${service} is not running: ${reason}`, req.method ?? 'GET');
    res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
