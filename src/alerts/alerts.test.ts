// Alert rules against a real SQLite store, a local SMTP sink (smtp-server) and a local webhook
// receiver: a condition notifies once when it starts and once when it resolves, by both channels.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../core/db/database.js';
import { AlertEvaluator, alertDuplicates } from './alerts.js';

describe('alerts', () => {
  let store: Store;
  let smtp: SMTPServer;
  let smtpPort: number;
  let hooks: Server;
  let hookUrl: string;
  const mails: string[] = [];
  const posts: Array<Record<string, unknown>> = [];
  let circuit = 'closed';

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
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        posts.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/alert`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    hooks.close();
    await store.close();
  });

  const evaluator = () =>
    new AlertEvaluator({ db: store.db, sources: { circuit: () => circuit, connections: async () => ['sage300-main'] }, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'syncline@test.local' });

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
    circuit = 'open';
    const t0 = Date.now();
    await alerts.tick(t0);
    await alerts.tick(t0 + 60_000);
    let events = (await alerts.store.history()).filter((h) => h.message.includes('connection'));
    expect(events).toHaveLength(0);
    await alerts.tick(t0 + 121_000);
    events = (await alerts.store.history()).filter((h) => h.message.includes('connection'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ state: 'firing', delivered: false });
    expect(events[0]!.error).toBeTruthy();
  });

  it('a half-open circuit (a probe under way) is still down: an outage longer than the window fires, however its probes are sampled', async () => {
    const alerts = evaluator();
    await alerts.store.create({ name: 'X3 down', kind: 'connection-down', threshold: 0, windowMinutes: 1, subject: 'sage300-main', channel: 'webhook', target: hookUrl, enabled: true });
    const before = posts.length;
    const t0 = Date.now();
    // Open, then every few ticks the breaker's probe (half-open) fails and it opens again: an ERP down throughout.
    for (const [i, state] of ['open', 'half-open', 'open', 'half-open', 'open', 'open'].entries()) {
      circuit = state;
      await alerts.tick(t0 + i * 15_000);
    }
    expect(posts.slice(before).map((p) => [p.state, (p.rule as { name: string }).name])).toEqual([['firing', 'X3 down']]);
    circuit = 'closed';
    await alerts.tick(t0 + 90_000);
    expect(posts.slice(before).map((p) => p.state)).toEqual(['firing', 'resolved']);
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
