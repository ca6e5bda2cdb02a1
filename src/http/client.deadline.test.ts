// The HTTP client's per-call deadline (issue 12): the whole call — headers and the last byte of the
// body — within `timeoutMs`, as AbortSignal.timeout gave it, but with its timer cleared once the body
// is read, so calls leave no timers behind for the length of their timeout.
import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../core/errors.js';
import { HttpClient } from './client.js';

let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url?.startsWith('/drip')) {
      // One byte every 80 ms for 1.2 s: each gap is far inside headersTimeout/bodyTimeout (the
      // inactivity timers), only a deadline on the whole call stops it.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      let n = 0;
      const t = setInterval(() => {
        if (++n === 15 || res.destroyed) {
          clearInterval(t);
          if (!res.destroyed) res.end('0]');
        } else res.write('0,');
      }, 80);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('HttpClient deadline', () => {
  it('a body that drips past timeoutMs fails as HTTP_TIMEOUT, a create of unknown outcome', async () => {
    const client = new HttpClient({ connection: 'drip', baseUrl: url, maxAttempts: 1, breaker: false, timeoutMs: 400 });
    const t0 = Date.now();
    const err = await client.request({ operation: 'createThing', method: 'POST', path: 'drip', body: { a: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynclineError);
    expect((err as SynclineError).code).toBe('HTTP_TIMEOUT');
    expect((err as SynclineError).details).toMatchObject({ outcomeUnknown: true });
    expect(Date.now() - t0).toBeLessThan(1_100);
    // Read within the deadline, the same body is fine.
    const slow = new HttpClient({ connection: 'drip-ok', baseUrl: url, maxAttempts: 1, breaker: false, timeoutMs: 5_000 });
    expect(((await slow.request({ operation: 'listThings', method: 'GET', path: 'drip' })).body as unknown[]).length).toBe(15);
  });

  it('leaves no timer behind once a call has answered', async () => {
    const client = new HttpClient({ connection: 'quick', baseUrl: url, maxAttempts: 1, breaker: false, timeoutMs: 60_000 });
    await client.request({ operation: 'ping', method: 'GET', path: 'ok' });
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => void (type === 'Timeout' && live.add(id)),
      destroy: (id) => void live.delete(id),
    }).enable();
    try {
      for (let i = 0; i < 50; i++) await client.request({ operation: 'ping', method: 'GET', path: 'ok' });
      await new Promise((r) => setImmediate(r));
    } finally {
      hook.disable();
    }
    // AbortSignal.timeout left one 60 s timer per call (50 here); undici's own timer wheel may hold one or two.
    expect(live.size).toBeLessThan(5);
  });
});
