// The hub side of the on-premise agents: a TLS listener that agents dial out to (no port opens on
// the merchant's side), enrolment against one-time tokens, and an HttpTransport per agent group that
// sends a connection's calls through a live agent of the group and streams the answer back.
//
// Identity: the TLS handshake checks the agent's certificate against the hub's CA; the upgrade then
// looks its SHA-256 fingerprint up in `agents` (not revoked, not expired). The group comes from that
// row, never from the agent. A revoked agent is cut off within one heartbeat.
//
// Failover: each call goes to the live agent of the group with the fewest calls in flight. When the
// agent carrying a call dies or its link goes silent, the call fails as HTTP_UNAVAILABLE with
// `details.outcomeUnknown` for a non-idempotent call (exactly what a reset after send is for the
// direct HTTP client): the engine retries, and deliverOnce looks the record up by its reference —
// through another agent — before creating again.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Database } from '../core/db/schema.js';
import { SynclineError, transientError, userError } from '../core/errors.js';
import { responseBody, type HttpTransport, type ResponseBody, type TransportRequest, type TransportResponse } from '../http/transport.js';
import { CertificateAuthority, fingerprint } from './ca.js';
import { agentMessage, CA_PATH, CONNECT_PATH, ENROL_PATH, formatToken, type AgentMessage } from './protocol.js';

export interface AgentHubOptions {
  db: Kysely<Database>;
  /** Where the CA key and certificate live (created on first start, key mode 0600). */
  caDir: string;
  host?: string;
  port?: number;
  /** Names agents dial, put in the hub's certificate (DNS names or IP addresses). */
  hostnames?: string[];
  logger?: Logger;
  /** How long a call waits for an agent of its group to connect before failing (default 10 s). */
  waitForAgentMs?: number;
  /** Ping interval; an agent silent for two intervals is dropped (default 5 s). */
  heartbeatMs?: number;
}

interface Pending {
  req: TransportRequest;
  resolve(res: TransportResponse): void;
  reject(err: unknown): void;
  body?: ResponseBody;
  timer: NodeJS.Timeout;
}

interface AgentLink {
  id: string;
  group: string;
  ws: WebSocket;
  alive: boolean;
  inFlight: Map<number, Pending>;
}

const DAY = 86_400_000;

/** One-time enrolment token for `group`; only its SHA-256 is stored. Works with the hub running or not. */
export async function createEnrolmentToken(db: Kysely<Database>, ca: CertificateAuthority, group: string, ttlMs = DAY): Promise<{ token: string; expiresAt: number }> {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(group)) throw userError('AGENT_ENROLMENT_FAILED', `agent group "${group}" must be 1-64 lower-case letters, digits, "-" or "_"`);
  const secret = randomBytes(24).toString('base64url');
  const now = Date.now();
  await db.insertInto('agent_enrolments').values({ token_hash: sha256(secret), agent_group: group, created_at: now, expires_at: now + ttlMs, used_at: null, agent_id: null }).execute();
  return { token: formatToken(secret, ca.fingerprint), expiresAt: now + ttlMs };
}

export async function revokeAgent(db: Kysely<Database>, agentId: string): Promise<boolean> {
  const res = await db.updateTable('agents').set({ revoked_at: Date.now() }).where('id', '=', agentId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export class AgentHub {
  readonly ca: CertificateAuthority;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private readonly groups = new Map<string, AgentLink[]>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly log?: Logger;
  private seq = 0;
  private heartbeat?: NodeJS.Timeout;
  private port = 0;

  private constructor(
    private readonly options: AgentHubOptions,
    ca: CertificateAuthority,
    tls: { certPem: string; keyPem: string },
  ) {
    this.ca = ca;
    this.log = options.logger;
    // requestCert without rejectUnauthorized: enrolment is reached without a certificate; the
    // tunnel refuses any connection whose certificate the handshake did not verify.
    this.server = createServer({ key: tls.keyPem, cert: tls.certPem + ca.certPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (req, res) => void this.http(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket as TLSSocket, head));
  }

  static async start(options: AgentHubOptions): Promise<AgentHub> {
    const ca = await CertificateAuthority.open(options.caDir);
    const tls = await ca.issueServer(options.hostnames?.length ? options.hostnames : ['localhost', '127.0.0.1']);
    const hub = new AgentHub(options, ca, tls);
    await new Promise<void>((resolve, reject) => {
      hub.server.once('error', reject);
      hub.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    hub.port = (hub.server.address() as AddressInfo).port;
    const every = options.heartbeatMs ?? 5_000;
    hub.heartbeat = setInterval(() => void hub.beat(), every);
    hub.heartbeat.unref();
    return hub;
  }

  get url(): string {
    return `wss://${this.options.hostnames?.[0] ?? 'localhost'}:${this.port}`;
  }

  get address(): { host: string; port: number } {
    return { host: this.options.host ?? '127.0.0.1', port: this.port };
  }

  createEnrolmentToken(group: string, ttlMs?: number): Promise<{ token: string; expiresAt: number }> {
    return createEnrolmentToken(this.options.db, this.ca, group, ttlMs);
  }

  /** Revokes and disconnects at once (other hub processes cut it off at their next heartbeat). */
  async revoke(agentId: string): Promise<boolean> {
    const done = await revokeAgent(this.options.db, agentId);
    for (const link of this.links()) if (link.id === agentId) link.ws.terminate();
    return done;
  }

  connected(group?: string): Array<{ id: string; group: string; inFlight: number }> {
    return this.links()
      .filter((l) => group === undefined || l.group === group)
      .map((l) => ({ id: l.id, group: l.group, inFlight: l.inFlight.size }));
  }

  /** The transport for connections configured "through agent group `group`". */
  transport(group: string): HttpTransport {
    return { request: (req) => this.call(group, req) };
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const link of this.links()) link.ws.terminate();
    for (const set of this.waiters.values()) for (const w of set) w();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private links(): AgentLink[] {
    return [...this.groups.values()].flat();
  }

  // ---- enrolment (plain HTTPS, no client certificate needed) ----

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === CA_PATH) return send(200, { ca: this.ca.certPem });
      if (req.method !== 'POST' || req.url !== ENROL_PATH) return send(404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 64 * 1024) return send(413, { error: { code: 'AGENT_ENROLMENT_FAILED', message: 'request too large' } });
        chunks.push(c as Buffer);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { secret?: unknown; publicKey?: unknown; name?: unknown };
      if (typeof body.secret !== 'string' || typeof body.publicKey !== 'string') return send(400, { error: { code: 'AGENT_ENROLMENT_FAILED', message: 'secret and publicKey are required' } });
      const name = typeof body.name === 'string' && /^[a-z0-9][a-z0-9-]{0,40}$/.test(body.name) ? body.name : 'agent';
      const result = await this.enrol(body.secret, body.publicKey, name);
      send(200, result);
    } catch (e) {
      const err = e instanceof SynclineError ? e : userError('AGENT_ENROLMENT_FAILED', `enrolment failed: ${(e as Error).message}`);
      this.log?.warn({ code: err.code, message: err.message }, 'agent enrolment refused');
      send(err.kind === 'user' ? 403 : 500, { error: { code: err.code, message: err.message } });
    }
  }

  private async enrol(secret: string, publicKeyPem: string, name: string): Promise<{ agentId: string; group: string; certificate: string; ca: string }> {
    const db = this.options.db;
    const agentId = `${name}-${randomBytes(3).toString('hex')}`;
    const now = Date.now();
    // One-time: the token is spent by the same statement that checks it, so two racing uses get one cert.
    const spent = await db
      .updateTable('agent_enrolments')
      .set({ used_at: now, agent_id: agentId })
      .where('token_hash', '=', sha256(secret))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('agent_group')
      .executeTakeFirst();
    if (!spent) throw userError('AGENT_ENROLMENT_FAILED', 'the enrolment token is unknown, already used or expired');
    const issued = await this.ca.issueAgent(agentId, publicKeyPem);
    await db
      .insertInto('agents')
      .values({ id: agentId, agent_group: spent.agent_group, fingerprint: fingerprint(issued.certPem), serial: issued.serial, enrolled_at: now, expires_at: issued.expiresAt, revoked_at: null, last_seen_at: null })
      .execute();
    this.log?.info({ agent: agentId, group: spent.agent_group }, 'agent enrolled');
    return { agentId, group: spent.agent_group, certificate: issued.certPem, ca: this.ca.certPem };
  }

  // ---- the tunnel ----

  private async upgrade(req: IncomingMessage, socket: TLSSocket, head: Buffer): Promise<void> {
    const refuse = (status: number, why: string) => {
      this.log?.warn({ status, why, remote: socket.remoteAddress }, 'agent connection refused');
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (req.url !== CONNECT_PATH) return refuse(404, 'unknown path');
    // The handshake verified the chain against our CA; a forged or foreign certificate fails here.
    if (!socket.authorized) return refuse(401, `client certificate not accepted: ${String(socket.authorizationError ?? 'none sent')}`);
    const cert = socket.getPeerX509Certificate();
    if (!cert) return refuse(401, 'no client certificate');
    const fp = createHash('sha256').update(cert.raw).digest('hex');
    const row = await this.options.db.selectFrom('agents').selectAll().where('fingerprint', '=', fp).executeTakeFirst();
    if (!row) return refuse(403, 'certificate not enrolled here');
    if (row.revoked_at !== null) return refuse(403, `agent ${row.id} is revoked`);
    if (row.expires_at < Date.now()) return refuse(403, `agent ${row.id}'s certificate expired`);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(row.id, row.agent_group, ws));
  }

  private attach(id: string, group: string, ws: WebSocket): void {
    const link: AgentLink = { id, group, ws, alive: true, inFlight: new Map() };
    // A reconnect may arrive before the old link is known dead: the new one replaces it.
    for (const old of (this.groups.get(group) ?? []).filter((l) => l.id === id)) old.ws.terminate();
    this.groups.set(group, [...(this.groups.get(group) ?? []), link]);
    this.log?.info({ agent: id, group }, 'agent connected');
    void this.options.db.updateTable('agents').set({ last_seen_at: Date.now() }).where('id', '=', id).execute().catch(() => {});
    ws.on('pong', () => (link.alive = true));
    ws.on('message', (data, isBinary) => {
      link.alive = true;
      if (isBinary) return;
      let msg: AgentMessage;
      try {
        msg = agentMessage.parse(JSON.parse(data.toString()));
      } catch {
        this.log?.warn({ agent: id }, 'agent sent a malformed frame; dropping the link');
        return ws.terminate();
      }
      this.onMessage(link, msg);
    });
    ws.on('close', () => this.detach(link));
    ws.on('error', () => ws.terminate());
    for (const w of this.waiters.get(group) ?? []) w();
  }

  private detach(link: AgentLink): void {
    const list = (this.groups.get(link.group) ?? []).filter((l) => l !== link);
    if (list.length) this.groups.set(link.group, list);
    else this.groups.delete(link.group);
    this.log?.warn({ agent: link.id, group: link.group, inFlight: link.inFlight.size }, 'agent disconnected');
    for (const [, p] of link.inFlight) this.settleLost(link, p, 'went away during the call');
    link.inFlight.clear();
  }

  private onMessage(link: AgentLink, msg: AgentMessage): void {
    if (msg.t === 'hello') return;
    const p = link.inFlight.get(msg.id);
    if (!p) return; // already timed out or cancelled
    switch (msg.t) {
      case 'head': {
        p.body = responseBody();
        p.resolve({ statusCode: msg.status, headers: msg.headers, body: p.body });
        return;
      }
      case 'data':
        p.body?.push(Buffer.from(msg.b64, 'base64'));
        return;
      case 'end':
        clearTimeout(p.timer);
        link.inFlight.delete(msg.id);
        p.body?.push(null);
        return;
      case 'fail': {
        clearTimeout(p.timer);
        link.inFlight.delete(msg.id);
        const unknown = msg.sent && !p.req.idempotent;
        const details = { agent: link.id, agentGroup: link.group, operation: p.req.operation, outcomeUnknown: unknown };
        const err =
          msg.code === 'AGENT_CALL_REFUSED'
            ? userError('AGENT_CALL_REFUSED', `agent ${link.id} refused ${p.req.method} ${p.req.url.origin}${p.req.url.pathname}: ${msg.message}`, { details })
            : transientError(msg.code === 'HTTP_TIMEOUT' ? 'HTTP_TIMEOUT' : 'HTTP_UNAVAILABLE', `${p.req.operation} via agent ${link.id}: ${msg.message}`, { details });
        if (p.body) p.body.destroy(Object.assign(new Error(err.message), { code: 'ECONNRESET' }));
        else p.reject(err);
        return;
      }
    }
  }

  /** The agent died or went silent with the call in its hands: did the ERP get it? Unknown. */
  private settleLost(link: AgentLink, p: Pending, why: string): void {
    clearTimeout(p.timer);
    if (p.body) {
      // Headers came, the body did not finish: the client reads this as a reset after send.
      p.body.destroy(Object.assign(new Error(`agent ${link.id} ${why}`), { code: 'ECONNRESET' }));
      return;
    }
    p.reject(
      transientError('HTTP_UNAVAILABLE', `${p.req.operation}: agent ${link.id} ${why}`, {
        details: { agent: link.id, agentGroup: link.group, operation: p.req.operation, method: p.req.method, outcomeUnknown: !p.req.idempotent },
      }),
    );
  }

  private async pick(group: string): Promise<AgentLink> {
    const deadline = Date.now() + (this.options.waitForAgentMs ?? 10_000);
    for (;;) {
      const live = (this.groups.get(group) ?? []).filter((l) => l.alive && l.ws.readyState === l.ws.OPEN);
      if (live.length) return live.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
      const left = deadline - Date.now();
      if (left <= 0) {
        // Nothing was sent: safe to repeat even a create (the client retries it like a refused connection).
        throw transientError('HTTP_UNAVAILABLE', `no agent of group "${group}" is connected`, { details: { agentGroup: group, outcomeUnknown: false, cause: 'NO_AGENT' } });
      }
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(group) ?? new Set();
        this.waiters.set(group, set);
        const done = () => (clearTimeout(t), set.delete(done), resolve());
        const t = setTimeout(done, left);
        set.add(done);
      });
    }
  }

  private async call(group: string, req: TransportRequest): Promise<TransportResponse> {
    const link = await this.pick(group);
    const id = ++this.seq;
    return new Promise<TransportResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = link.inFlight.get(id);
        if (!p) return;
        link.inFlight.delete(id);
        if (link.ws.readyState === link.ws.OPEN) link.ws.send(JSON.stringify({ t: 'cancel', id }));
        const err = transientError('HTTP_TIMEOUT', `${req.operation} via agent ${link.id} timed out`, { details: { agent: link.id, agentGroup: group, operation: req.operation, outcomeUnknown: !req.idempotent } });
        if (p.body) p.body.destroy(Object.assign(new Error(err.message), { name: 'TimeoutError' }));
        else reject(err);
      }, req.timeoutMs);
      link.inFlight.set(id, { req, resolve, reject, timer });
      link.ws.send(
        JSON.stringify({ t: 'call', id, method: req.method, url: req.url.href, headers: req.headers, body: req.body === undefined ? undefined : Buffer.from(req.body).toString('base64'), timeoutMs: req.timeoutMs }),
        (err) => {
          // Not written to the socket: the agent never saw it, so it is safe to repeat.
          if (!err || !link.inFlight.has(id)) return;
          clearTimeout(timer);
          link.inFlight.delete(id);
          reject(transientError('HTTP_UNAVAILABLE', `${req.operation}: could not send to agent ${link.id}`, { details: { agent: link.id, agentGroup: group, outcomeUnknown: false } }));
        },
      );
    });
  }

  private async beat(): Promise<void> {
    for (const link of this.links()) {
      if (!link.alive) {
        this.log?.warn({ agent: link.id }, 'agent silent for two heartbeats; dropping the link');
        link.ws.terminate();
        continue;
      }
      link.alive = false;
      link.ws.ping();
    }
    // Revocations made by another process (the CLI, another hub) cut live links here too.
    const ids = this.links().map((l) => l.id);
    if (ids.length === 0) return;
    try {
      const revoked = await this.options.db.selectFrom('agents').select('id').where('id', 'in', ids).where('revoked_at', 'is not', null).execute();
      for (const r of revoked) for (const link of this.links()) if (link.id === r.id) link.ws.terminate();
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, 'could not check agent revocations');
    }
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
