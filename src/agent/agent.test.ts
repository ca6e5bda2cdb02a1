// Hub and agent on loopback, the Sage 300 sandbox as the ERP: enrolment with a one-time token pinned
// to the hub's CA, calls through the tunnel with the ERP's credentials added by the agent only, the
// agent's allow-list refusing what it does not name (the ERP never sees it), a forged certificate
// and a revoked agent refused, and the local call log with personal data masked.
// The network-isolated version (ERP reachable from the agent only) is test/e2e/agent-netns.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../core/db/database.js';
import { SynclineError } from '../core/errors.js';
import { start as startSage300, type Sage300Sandbox } from '../sandboxes/sage300/index.js';
import { Sage300Client } from '../connectors/sage300/client.js';
import { routeConnection } from '../http/transport.js';
import { CertificateAuthority, generateKeyPair } from './ca.js';
import { AgentHub } from './hub.js';
import { OnPremAgent, agentConfigSchema, enrolAgent } from './agent.js';
import { CONNECT_PATH } from './protocol.js';

const failure = async (p: Promise<unknown>): Promise<SynclineError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof SynclineError) return e;
    throw e;
  }
  throw new Error('expected a failure');
};

describe('on-premise agent (loopback)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-agent-'));
  let store: Store;
  let hub: AgentHub;
  let erp: Sage300Sandbox;
  let agent: OnPremAgent;
  let client: Sage300Client;

  beforeAll(async () => {
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'hub.db') });
    hub = await AgentHub.start({ db: store.db, caDir: path.join(dir, 'ca'), hostnames: ['localhost'], heartbeatMs: 300, waitForAgentMs: 1_000 });
    erp = await startSage300({ seed: 3 });
    const { token } = await hub.createEnrolmentToken('plant-a');
    await enrolAgent({ hub: hub.url, token, stateDir: path.join(dir, 'agent'), name: 'erp-host' });
    const basic = `Basic ${Buffer.from(`${erp.credentials.user}:${erp.credentials.password}`).toString('base64')}`;
    agent = new OnPremAgent(
      agentConfigSchema.parse({
        hub: hub.url,
        stateDir: path.join(dir, 'agent'),
        heartbeatMs: 300,
        allow: [{ url: `${erp.url}/Sage300WebApi/v1.0/-/${erp.credentials.company}/`, methods: ['GET', 'POST'], headers: { authorization: basic } }],
      }),
    );
    agent.start();
    await agent.waitConnected();
    // The hub side knows no password: the agent adds it.
    client = new Sage300Client({ baseUrl: erp.url, company: erp.credentials.company, user: erp.credentials.user, password: 'not-the-password', timeoutMs: 5_000 }, { connection: 'sage300-onprem' });
    routeConnection('sage300-onprem', hub.transport('plant-a'));
  });
  afterAll(async () => {
    routeConnection('sage300-onprem', undefined);
    await agent?.stop();
    await hub?.stop();
    await erp?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a call goes through the agent, which adds the ERP credentials the hub does not have', async () => {
    expect(hub.connected('plant-a').map((a) => a.id)).toEqual([agent.id]);
    const items = await client.list('listItems', 'IC', 'ICItems', z.looseObject({ ItemNumber: z.string() }), { select: ['ItemNumber'], limit: 3 });
    expect(items).toHaveLength(3);
    // Without the tunnel the same client is refused: the hub really holds no valid password.
    routeConnection('sage300-onprem', undefined);
    expect((await failure(client.list('listItems', 'IC', 'ICItems', z.looseObject({ ItemNumber: z.string() }), { limit: 1 }))).code).toBe('SAGE300_AUTH_FAILED');
    routeConnection('sage300-onprem', hub.transport('plant-a'));
  });

  it('a call outside the allow-list is refused by the agent and never reaches the ERP', async () => {
    const recorder = erp.recordRequests();
    try {
      const other = await failure(client.http.request({ operation: 'sneaky', method: 'GET', path: `${erp.url}/Sage300WebApi/v1.0/-/OTHERCO/IC/ICItems` }));
      expect([other.code, other.kind]).toEqual(['AGENT_CALL_REFUSED', 'user']);
      const traversal = await failure(client.http.request({ operation: 'sneaky', method: 'GET', path: `${erp.url}/Sage300WebApi/v1.0/-/${erp.credentials.company}/%2e%2e/OTHERCO/IC/ICItems` }));
      expect(traversal.code).toBe('AGENT_CALL_REFUSED');
      const method = await failure(client.http.request({ operation: 'sneaky', method: 'DELETE', path: 'IC/ICItems(\'A1\')' }));
      expect(method.code).toBe('AGENT_CALL_REFUSED');
      const elsewhere = await failure(client.http.request({ operation: 'sneaky', method: 'GET', path: 'http://127.0.0.1:9/whatever' }));
      expect(elsewhere.code).toBe('AGENT_CALL_REFUSED');
      expect(recorder.requests).toEqual([]);
    } finally {
      recorder.stop();
    }
  });

  it('every call is in the agent\'s local log, personal data masked', async () => {
    await client.http.request({ operation: 'createCustomer', acceptStatus: [400, 409, 422], method: 'POST', path: 'AR/ARCustomers', body: { CustomerNumber: 'C1', CustomerName: 'Jane Example', Email: 'jane@example.com' } });
    await client.http.request({ operation: 'findCustomer', method: 'GET', path: 'AR/ARCustomers', headers: { 'content-type': 'application/json' }, query: { $filter: "Email eq 'jane@example.com'" }, acceptStatus: [400, 500] });
    const log = readFileSync(path.join(dir, 'agent', 'calls.log'), 'utf8');
    expect(log).not.toContain('jane@example.com');
    expect(log).not.toContain('Jane Example');
    expect(log).toContain('AR/ARCustomers');
    expect(log).toContain('"refused":true');
    expect(log).not.toContain('Basic '); // the credentials the agent adds are not logged either
  });

  it('a certificate from another CA with the same name is refused; so is an enrolled agent once revoked', async () => {
    const forgedCa = await CertificateAuthority.open(path.join(dir, 'forged-ca'));
    const keys = await generateKeyPair();
    const forged = await forgedCa.issueAgent(agent.id, keys.publicKey);
    const caPem = readFileSync(path.join(dir, 'agent', 'ca.pem'), 'utf8');
    const attempt = (cert: string, key: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${hub.url}${CONNECT_PATH}`, { cert, key, ca: [caPem] });
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => (ws.close(), resolve(101)));
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt(forged.certPem, keys.privateKey)).toBe(401);

    expect(await hub.revoke(agent.id)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.connected('plant-a')).toEqual([]);
    const own = { cert: readFileSync(path.join(dir, 'agent', 'agent.pem'), 'utf8'), key: readFileSync(path.join(dir, 'agent', 'agent.key'), 'utf8') };
    expect(await attempt(own.cert, own.key)).toBe(403);
    // With no agent of the group left, a call fails as "not sent" (safe to repeat), after the wait.
    const fresh = new Sage300Client({ baseUrl: erp.url, company: erp.credentials.company, user: 'x', password: 'x' }, { connection: 'sage300-onprem-2' });
    routeConnection('sage300-onprem-2', hub.transport('plant-a'));
    const none = await failure(fresh.http.request({ operation: 'listItems', method: 'GET', path: 'IC/ICItems', idempotent: true }));
    routeConnection('sage300-onprem-2', undefined);
    expect([none.code, none.details.outcomeUnknown]).toEqual(['HTTP_UNAVAILABLE', false]);
  });

  it('an enrolment token works once, and only with the hub whose CA it names', async () => {
    const { token } = await hub.createEnrolmentToken('plant-a');
    await enrolAgent({ hub: hub.url, token, stateDir: path.join(dir, 'agent-2') });
    expect((await failure(enrolAgent({ hub: hub.url, token, stateDir: path.join(dir, 'agent-3') }))).code).toBe('AGENT_ENROLMENT_FAILED');
    const other = await hub.createEnrolmentToken('plant-a');
    const wrongPin = other.token.replace(/\.[0-9a-f]{64}$/, `.${'0'.repeat(64)}`);
    const e = await failure(enrolAgent({ hub: hub.url, token: wrongPin, stateDir: path.join(dir, 'agent-4') }));
    expect(e.message).toMatch(/does not hold the CA/);
  });
});
