// Alert rules against a real SQLite store, a local SMTP sink (smtp-server) and a local webhook
// receiver: a condition notifies once when it starts and once when it resolves, by both channels.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../core/db/database.js';
import { circuitState, downSince, HttpClient } from '../http/client.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhooks.js';
import { AlertEvaluator, alertDuplicates } from './alerts.js';

describe('alerts', () => {
  let store: Store;
  let smtp: SMTPServer;
  let smtpPort: number;
  let hooks: WebhookReceiver<Record<string, unknown>>;
  let hookUrl: string;
  const mails: string[] = [];
  let posts: Array<Record<string, unknown>>;
  let erpServer: Server;
  let erpUrl: string;
  /** What the ERP stand-in answers every call with. */
  let status = 503;

  beforeAll(async () => {
    store = await openStore({ dialect: 'sqlite', file: ':memory:' });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          mails.push(data);
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    hooks = await startWebhookReceiver<Record<string, unknown>>();
    hookUrl = hooks.url;
    posts = hooks.bodies;
    erpServer = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => erpServer.listen(0, '127.0.0.1', r));
    erpUrl = `http://127.0.0.1:${(erpServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await hooks.close();
    erpServer.close();
    await store.close();
  });

  const evaluator = (connections = ['sage300-main']) =>
    new AlertEvaluator({ db: store.db, sources: { downSince, connections: async () => connections }, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'syncline@test.local' });
  /** A real client of the ERP stand-in (every call one attempt), its circuit opening after `failures` in a row. */
  const client = (connection: string, failures: number) => new HttpClient({ connection, baseUrl: erpUrl, maxAttempts: 1, breaker: { consecutiveFailures: failures, halfOpenAfterMs: 5_000 } });
  const ping = { operation: 'ping', method: 'GET', path: '/ping' } as const;

  it('dead letters over the threshold: one e-mail and one webhook when it starts, one each when it resolves', async () => {
    const alerts = evaluator();
    await alerts.store.create({ name: 'DLQ growing', kind: 'dead-letters', threshold: 0, windowMinutes: 60, subject: null, channel: 'email', target: 'ops@example.com', enabled: true });
    await alerts.store.create({ name: 'DLQ hook', kind: 'dead-letters', threshold: 0, windowMinutes: 60, subject: 'xcart-order-to-sage300', channel: 'webhook', target: hookUrl, enabled: true });
    await alerts.tick();
    expect(mails).toHaveLength(0);

    const now = Date.now();
    const job = await store.db
      .insertInto('jobs')
      .values({ queue: 'xcart-order-to-sage300', ordering_key: null, payload: '{}', state: 'dead', max_attempts: 5, run_at: now, lease_until: null, worker_id: null, event_id: null, last_error: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await alerts.tick();
    await alerts.tick(); // still firing: nothing new
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[Syncline\] FIRING: DLQ growing/);
    expect(mails[0]).toMatch(/1 dead letter in the last 60 min/);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ state: 'firing', rule: { name: 'DLQ hook', kind: 'dead-letters', subject: 'xcart-order-to-sage300' } });

    await store.db.deleteFrom('jobs').where('id', '=', job.id).execute();
    await alerts.tick();
    expect(mails).toHaveLength(2);
    expect(mails[1]).toMatch(/RESOLVED: DLQ growing/);
    expect(posts.map((p) => p.state)).toEqual(['firing', 'resolved']);
    const history = await alerts.store.history();
    expect(history.map((h) => [h.state, h.delivered])).toEqual([['resolved', true], ['resolved', true], ['firing', true], ['firing', true]]);
  });

  it('a connection down for M minutes fires once it has been down that long; a failed delivery is recorded with its error', async () => {
    const alerts = evaluator();
    await alerts.store.create({ name: 'ERP down', kind: 'connection-down', threshold: 0, windowMinutes: 2, subject: 'sage300-main', channel: 'webhook', target: 'http://127.0.0.1:9/nobody-listens', enabled: true });
    const erp = client('sage300-main', 3);
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: t0 });
    try {
      for (let i = 0; i < 3; i++) await expect(erp.request(ping)).rejects.toMatchObject({ code: 'HTTP_SERVER_ERROR' });
      expect(circuitState('sage300-main')).toBe('open');
      await alerts.tick(t0);
      await alerts.tick(t0 + 60_000);
      let events = (await alerts.store.history()).filter((h) => h.message.includes('connection'));
      expect(events).toHaveLength(0);
      await alerts.tick(t0 + 121_000);
      events = (await alerts.store.history()).filter((h) => h.message.includes('connection'));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ state: 'firing', delivered: false });
      expect(events[0]!.error).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('the down-time counts from the first failed call, not from when the circuit opened; failed probes keep it, a success ends it', async () => {
    // Sparse calls (jobs in backoff): the circuit opens at the fifth failure, 40 s into the outage.
    // Counting from then, a 1-minute rule fired 40 s late; it must fire at the minute.
    const alerts = evaluator(['x3-main']);
    await alerts.store.create({ name: 'X3 down', kind: 'connection-down', threshold: 0, windowMinutes: 1, subject: 'x3-main', channel: 'webhook', target: hookUrl, enabled: true });
    const before = posts.length;
    const erp = client('x3-main', 5);
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: t0 });
    const at = async (ms: number, calls: number) => {
      vi.setSystemTime(t0 + ms);
      for (let i = 0; i < calls; i++) await erp.request(ping).catch(() => undefined);
      await alerts.tick(t0 + ms);
    };
    try {
      await at(0, 1);
      expect(circuitState('x3-main')).toBe('closed');
      expect(downSince('x3-main')).toBeUndefined(); // one failure is not an outage (yet)
      await at(20_000, 2);
      await at(40_000, 2);
      expect(circuitState('x3-main')).toBe('open');
      expect(downSince('x3-main')).toBe(t0);
      expect(posts.length).toBe(before);
      await at(60_000, 0);
      expect(posts.slice(before).map((p) => [p.state, (p.rule as { name: string }).name])).toEqual([['firing', 'X3 down']]);
      // A probe (half-open) that fails: still down since t0.
      await at(70_000, 1);
      await at(75_000, 1);
      expect(downSince('x3-main')).toBe(t0);
      expect(posts.slice(before).map((p) => p.state)).toEqual(['firing']);
      // The ERP answers again: the next probe closes the circuit and the alert resolves.
      status = 200;
      await at(81_000, 1);
      expect(circuitState('x3-main')).toBe('closed');
      expect(posts.slice(before).map((p) => p.state)).toEqual(['firing', 'resolved']);
      // A new failure after the recovery starts a new count, and is no outage by itself.
      status = 503;
      await at(200_000, 1);
      expect(downSince('x3-main')).toBeUndefined();
    } finally {
      vi.useRealTimers();
      status = 503;
    }
  });

  it('a reconciliation that finds a reference twice fires the duplicate-reference rules of its pair (e-mail), and a clean one resolves them', async () => {
    const alerts = evaluator();
    await alerts.store.create({ name: 'Duplicates in X3', kind: 'duplicate-reference', threshold: 0, windowMinutes: 1, subject: 'amazon-x3', channel: 'email', target: 'erp@example.com', enabled: true });
    const before = mails.length;
    const smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
    expect(await alertDuplicates({ db: store.db, smtpUrl }, 'xcart-sage300', [{ reference: '1001', detail: 'two orders' }])).toEqual([]); // another pair's rule
    expect(await alertDuplicates({ db: store.db, smtpUrl }, 'amazon-x3', [])).toEqual([]); // not firing: nothing to resolve
    const fired = await alertDuplicates({ db: store.db, smtpUrl }, 'amazon-x3', [{ reference: '111-2222222-3333333', detail: '2 sales orders carry this CUSORDREF: SON001, SON002' }]);
    expect(fired).toMatchObject([{ state: 'firing', delivered: true }]);
    expect(mails.slice(before)).toHaveLength(1);
    expect(mails.at(-1)).toMatch(/FIRING: Duplicates in X3/);
    expect(mails.at(-1)).toContain('111-2222222-3333333 (2 sales orders');
    await alerts.tick(); // a polled tick leaves an event-driven rule as it is
    expect((await alerts.store.list()).find((r) => r.kind === 'duplicate-reference')?.firing).toBe(true);
    const resolved = await alertDuplicates({ db: store.db, smtpUrl }, 'amazon-x3', []);
    expect(resolved).toMatchObject([{ state: 'resolved', delivered: true }]);
    expect(mails.at(-1)).toMatch(/RESOLVED: Duplicates in X3/);
  });

  it('refuses a malformed rule with every problem', async () => {
    await expect(evaluator().store.create({ name: '', kind: 'dead-letters', threshold: -1, windowMinutes: 0, subject: null, channel: 'email', target: 'not-an-address', enabled: true })).rejects.toMatchObject({ code: 'ALERT_RULE_INVALID', details: { problems: expect.arrayContaining(['name: 1-100 characters', 'target: an e-mail address']) } });
  });
});
