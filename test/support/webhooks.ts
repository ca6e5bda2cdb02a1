// Test kit: an HTTP endpoint in this process that receives webhooks (alert notifications, a sandbox's
// event pushes) and keeps every request, so a test can check what was sent. It answers 204 to all.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookRequest<T> {
  raw: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: T | undefined;
  headers: IncomingHttpHeaders;
  /** Date.now() when the body had arrived. */
  at: number;
}

export interface WebhookReceiver<T> {
  /** http://127.0.0.1:PORT/hook */
  url: string;
  /** Every request, in arrival order. */
  requests: Array<WebhookRequest<T>>;
  /** The JSON bodies, in arrival order (the same array all along, so a test may hold on to it). */
  bodies: T[];
  close(): Promise<void>;
}

export async function startWebhookReceiver<T = unknown>(): Promise<WebhookReceiver<T>> {
  const requests: Array<WebhookRequest<T>> = [];
  const bodies: T[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Decoded whole: a character split across chunks would be mangled chunk by chunk.
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: T | undefined;
      try {
        body = JSON.parse(raw) as T;
        bodies.push(body);
      } catch {
        body = undefined;
      }
      requests.push({ raw, body, headers: req.headers, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    bodies,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        // A sender's kept-alive connection would hold close() open.
        server.closeAllConnections();
      }),
  };
}
