// The re-ranker against a local fake OpenAI-compatible server: what it sends (names, no sample values),
// how it applies the answer, and that a broken answer keeps the offline ranking.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rerank } from './rerank.js';
import { suggest } from './suggest.js';

let server: Server;
let base: string;
let lastBody: { model: string; messages: Array<{ content: string }> } | undefined;
let lastAuth: string | undefined;
let mode: 'reverse' | 'garbage' | '500' = 'reverse';

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      lastBody = JSON.parse(data);
      lastAuth = req.headers.authorization;
      if (mode === '500') return void res.writeHead(500).end('{}');
      const ask = JSON.parse(lastBody!.messages[1].content) as { fields: Array<{ source: string; candidates: string[] }> };
      const order = Object.fromEntries(ask.fields.map((f) => [f.source, [...f.candidates].reverse()]));
      const content = mode === 'garbage' ? 'sorry, no JSON today' : `Here you are: ${JSON.stringify({ order })}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('LLM re-ranking (off by default)', () => {
  const sample = { AmazonOrderId: '113-2946157-7035412', BuyerInfo: { BuyerEmail: 'secret@marketplace.amazon.com' } };
  const offline = suggest('amazon.Order', 'sagex3.SOH', { sample });

  it('sends field names only and applies the model order', async () => {
    mode = 'reverse';
    const r = await rerank('amazon.Order', 'sagex3.SOH', offline, { baseUrl: base, model: 'fake-1', apiKey: 'k' });
    expect(r.reranked).toBe(true);
    expect(lastAuth).toBe('Bearer k');
    expect(lastBody!.model).toBe('fake-1');
    expect(JSON.stringify(lastBody)).not.toContain('secret@');
    expect(JSON.stringify(lastBody)).not.toContain('113-2946157');
    const before = offline.find((s) => s.source === 'ShippingAddress.City')!.candidates.map((c) => c.target);
    const after = r.suggestions.find((s) => s.source === 'ShippingAddress.City')!;
    expect(after.candidates.map((c) => c.target)).toEqual([...before].reverse());
    expect(after.candidates[0].why).toMatch(/re-ranked by fake-1/);
  });

  it('keeps the offline ranking when the endpoint fails or answers nonsense', async () => {
    for (const m of ['garbage', '500'] as const) {
      mode = m;
      const r = await rerank('amazon.Order', 'sagex3.SOH', offline, { baseUrl: base, model: 'fake-1' });
      expect(r.reranked).toBe(false);
      expect(r.error).toBeTruthy();
      expect(r.suggestions).toBe(offline);
    }
  });
});
