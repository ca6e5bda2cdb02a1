// The on-premise agent: runs beside the ERP, dials out to the hub (TLS WebSocket, its own client
// certificate), and executes the calls the hub sends against the local ERP API. No port opens on the
// merchant's side.
//
// Least privilege lives here, in the agent's own file, where the hub cannot change it: a call is made
// only when its URL's origin and path prefix (and method) match an `allow` rule; anything else is
// refused with AGENT_CALL_REFUSED before a byte reaches the ERP. A rule may carry headers (e.g. the
// ERP's Authorization): they replace whatever the hub sent, so the ERP's credentials can live on the
// agent alone. Every call is logged to a local JSON-lines file, personal data redacted.
import { readFileSync, mkdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import WebSocket from 'ws';
import YAML from 'yaml';
import { z } from 'zod';
import { userError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { backoffDelay } from '../core/policies.js';
import { fingerprint, generateKeyPair } from './ca.js';
import { CA_PATH, CHUNK_BYTES, CONNECT_PATH, ENROL_PATH, hubMessage, parseToken, PROTOCOL_VERSION, type AgentMessage, type HubMessage } from './protocol.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const agentConfigSchema = z.strictObject({
  /** The hub, e.g. wss://syncline.example.com:4443. */
  hub: z.string().regex(/^wss:\/\/[^/]+$/, 'hub is wss://HOST[:PORT], nothing after'),
  /** Key, certificate and CA from `syncline agent enrol` (relative to this file). */
  stateDir: z.string(),
  /** Reach the hub through this Unix socket (a local forwarder) instead of dialling HOST:PORT. */
  hubSocket: z.string().optional(),
  /** What the hub may ask for. Nothing else is called. */
  allow: z
    .array(
      z.strictObject({
        /** Origin and path prefix, e.g. http://erp.local:8080/Sage300WebApi/v1.0/-/SAMLTD/ */
        url: z.string().url(),
        methods: z.array(z.enum(METHODS)).optional(),
        /** Set on every allowed call, replacing the hub's (e.g. authorization: "Basic …", or ${ENV}). */
        headers: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1, 'allow needs at least one rule: an agent that may call nothing is of no use'),
  /** Local call log (JSON lines); default <stateDir>/calls.log. */
  callLog: z.string().optional(),
  redactPii: z.boolean().default(true),
  heartbeatMs: z.number().int().min(100).default(5_000),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let data: unknown;
  try {
    const text = (await readFile(file, 'utf8')).replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => process.env[name] ?? '');
    data = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw userError('AGENT_CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = agentConfigSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw userError('AGENT_CONFIG_INVALID', `${file} is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  const dir = path.dirname(path.resolve(file));
  const c = parsed.data;
  return { ...c, stateDir: path.resolve(dir, c.stateDir), hubSocket: c.hubSocket && path.resolve(dir, c.hubSocket), callLog: c.callLog && path.resolve(dir, c.callLog) };
}

interface Rule {
  origin: string;
  prefix: string;
  methods?: readonly string[];
  headers: Record<string, string>;
}

function compileRules(allow: AgentConfig['allow']): Rule[] {
  return allow.map((r) => {
    const u = new URL(r.url);
    if (u.username || u.password) throw userError('AGENT_CONFIG_INVALID', `allow rule ${r.url}: put credentials in headers, not in the URL`);
    return { origin: u.origin, prefix: u.pathname, methods: r.methods, headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
  });
}

/** The rule allowing this call, if any. The URL is normalised first (`..`, `%2e%2e`), so a prefix cannot be escaped. */
export function allowedBy(rules: Rule[], method: string, raw: string): Rule | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.username || u.password) return undefined;
  // An encoded slash or dot-segment that survives normalisation could still be decoded by the ERP.
  if (/%2f|%5c|%2e/i.test(u.pathname)) return undefined;
  return rules.find(
    (r) => r.origin === u.origin && (u.pathname === r.prefix || u.pathname.startsWith(r.prefix.endsWith('/') ? r.prefix : `${r.prefix}/`)) && (!r.methods || r.methods.includes(method)),
  );
}

/** Headers the hub may not set: they describe the hub's connection, not the call. */
const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-authorization', 'te']);

export interface AgentState {
  agentId: string;
  group: string;
  key: string;
  cert: string;
  ca: string;
}

export function readState(stateDir: string): AgentState {
  const file = (n: string) => readFileSync(path.join(stateDir, n), 'utf8');
  try {
    const meta = JSON.parse(file('agent.json')) as { agentId: string; group: string };
    return { ...meta, key: file('agent.key'), cert: file('agent.pem'), ca: file('ca.pem') };
  } catch (e) {
    throw userError('AGENT_CONFIG_INVALID', `no enrolment in ${stateDir} (${(e as Error).message}): run \`syncline agent enrol\` first`);
  }
}

export class OnPremAgent {
  private readonly rules: Rule[];
  private readonly state: AgentState;
  private readonly callLog: Logger;
  private ws?: WebSocket;
  private running = false;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private attempts = 0;
  private readonly calls = new Map<number, AbortController>();
  private readonly erp = new UndiciAgent({ connections: 64, keepAliveTimeout: 30_000 });
  /** Resolves on each successful connection (tests wait on it). */
  private connectedWaiters: Array<() => void> = [];

  constructor(
    private readonly config: AgentConfig,
    private readonly logger?: Logger,
  ) {
    this.rules = compileRules(config.allow);
    this.state = readState(config.stateDir);
    const logFile = config.callLog ?? path.join(config.stateDir, 'calls.log');
    this.callLog = pino({ base: { agent: this.state.agentId } }, pino.destination({ dest: logFile, sync: true, mkdir: true }));
  }

  get id(): string {
    return this.state.agentId;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    for (const c of this.calls.values()) c.abort();
    this.ws?.terminate();
    await this.erp.close();
  }

  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`agent ${this.id} not connected after ${timeoutMs} ms`)), timeoutMs);
      this.connectedWaiters.push(() => (clearTimeout(t), resolve()));
    });
  }

  private connect(): void {
    if (!this.running) return;
    const tlsOptions: ConnectionOptions = { key: this.state.key, cert: this.state.cert, ca: [this.state.ca], minVersion: 'TLSv1.2' };
    const ws = new WebSocket(`${this.config.hub}${CONNECT_PATH}`, {
      ...tlsOptions,
      handshakeTimeout: 10_000,
      ...(this.config.hubSocket ? { createConnection: (opts: ConnectionOptions) => tlsConnect({ ...opts, path: this.config.hubSocket }) } : {}),
    } as WebSocket.ClientOptions);
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.attempts = 0;
      this.logger?.info({ agent: this.id, hub: this.config.hub }, 'connected to the hub');
      ws.send(JSON.stringify({ t: 'hello', version: PROTOCOL_VERSION, agent: this.id } satisfies AgentMessage));
      clearInterval(this.heartbeat);
      // A link that goes silent (a firewall dropping packets) is noticed here, not only by the hub.
      this.heartbeat = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, this.config.heartbeatMs);
      for (const w of this.connectedWaiters.splice(0)) w();
    });
    ws.on('pong', () => (alive = true));
    ws.on('ping', () => (alive = true));
    ws.on('message', (data, isBinary) => {
      alive = true;
      if (isBinary) return;
      let msg: HubMessage;
      try {
        msg = hubMessage.parse(JSON.parse(data.toString()));
      } catch {
        return;
      }
      if (msg.t === 'cancel') this.calls.get(msg.id)?.abort();
      else void this.execute(ws, msg);
    });
    ws.on('unexpected-response', (_req, res) => {
      this.logger?.error({ status: res.statusCode }, 'the hub refused this agent (revoked, or not enrolled there)');
    });
    ws.on('error', (e) => this.logger?.warn({ err: e.message }, 'hub connection failed'));
    ws.on('close', () => {
      clearInterval(this.heartbeat);
      for (const c of this.calls.values()) c.abort();
      if (!this.running || this.ws !== ws) return;
      // Backoff (ms) with full jitter: ~100, 200, 400 … capped at 5 s.
      const delay = backoffDelay(++this.attempts, { baseMs: 100, capMs: 5_000 });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private send(ws: WebSocket, msg: AgentMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  private async execute(ws: WebSocket, call: Extract<HubMessage, { t: 'call' }>): Promise<void> {
    const started = performance.now();
    const rule = allowedBy(this.rules, call.method, call.url);
    const entry = this.describe(call);
    if (!rule) {
      this.callLog.warn({ ...entry, refused: true }, 'call refused: not in the allow-list');
      return this.send(ws, { t: 'fail', id: call.id, code: 'AGENT_CALL_REFUSED', message: 'not in this agent\'s allow-list', sent: false });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.headers)) if (!HOP.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    Object.assign(headers, rule.headers);
    const abort = new AbortController();
    this.calls.set(call.id, abort);
    let status = 0;
    try {
      const res = await undiciRequest(call.url, {
        method: call.method as (typeof METHODS)[number],
        headers,
        body: call.body === undefined ? undefined : Buffer.from(call.body, 'base64'),
        dispatcher: this.erp,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(call.timeoutMs)]),
      });
      status = res.statusCode;
      this.send(ws, { t: 'head', id: call.id, status: res.statusCode, headers: res.headers as Record<string, string | string[]> });
      let pending = Buffer.alloc(0);
      for await (const chunk of res.body) {
        pending = Buffer.concat([pending, chunk as Buffer]);
        while (pending.length >= CHUNK_BYTES) {
          this.send(ws, { t: 'data', id: call.id, b64: pending.subarray(0, CHUNK_BYTES).toString('base64') });
          pending = pending.subarray(CHUNK_BYTES);
        }
      }
      if (pending.length) this.send(ws, { t: 'data', id: call.id, b64: pending.toString('base64') });
      this.send(ws, { t: 'end', id: call.id });
      this.callLog.info({ ...entry, status, ms: Math.round(performance.now() - started) }, 'call');
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      const name = (e as Error).name;
      const timeout = name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code);
      // Refused or unresolvable: the ERP never saw it. Anything else may have reached it.
      const sent = status !== 0 || !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(code);
      this.callLog.warn({ ...entry, status, error: code || name, ms: Math.round(performance.now() - started) }, 'call failed');
      this.send(ws, { t: 'fail', id: call.id, code: timeout ? 'HTTP_TIMEOUT' : 'HTTP_UNAVAILABLE', message: `${code || name}: ${(e as Error).message}`, sent });
    } finally {
      this.calls.delete(call.id);
    }
  }

  /** What the local log keeps of a call: method, where, and the query and body with personal data masked. */
  private describe(call: Extract<HubMessage, { t: 'call' }>): Record<string, unknown> {
    let where = call.url;
    let query: Record<string, string> | undefined;
    try {
      const u = new URL(call.url);
      where = `${u.origin}${u.pathname}`;
      // Literals inside OData filters ('jane@example.com') are masked whatever their field.
      if (u.search) query = Object.fromEntries([...u.searchParams].map(([k, v]) => [k, v.replace(/'(?:[^']|'')*'/g, "'***'")]));
    } catch {
      /* logged as given */
    }
    let body: unknown;
    if (call.body !== undefined) {
      const text = Buffer.from(call.body, 'base64').toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = `(${text.length} bytes, not JSON)`;
      }
    }
    return { id: call.id, method: call.method, url: where, query: redact(query, { enabled: this.config.redactPii }), body: redact(body, { enabled: this.config.redactPii }) };
  }
}

/**
 * `syncline agent enrol`: makes the agent's key pair here (the private key never leaves this host),
 * fetches the hub's CA and checks it against the fingerprint in the token, then — over TLS verified
 * with that CA — trades the one-time token and the public key for a certificate.
 */
export async function enrolAgent(o: { hub: string; token: string; stateDir: string; name?: string; hubSocket?: string }): Promise<AgentState> {
  const parsed = parseToken(o.token);
  if (!parsed) throw userError('AGENT_ENROLMENT_FAILED', 'the token is malformed: copy it whole, as `syncline agent token create` printed it');
  const hub = new URL(o.hub.replace(/^wss:/, 'https:'));
  const base = { host: hub.hostname, port: Number(hub.port || 443), servername: /^[\d.]+$|:/.test(hub.hostname) ? undefined : hub.hostname, ...(o.hubSocket ? { socketPath: o.hubSocket } : {}) };
  const post = (p: string, body: unknown, tls: { ca?: string; rejectUnauthorized: boolean }) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = httpsRequest({ ...base, ...tls, path: p, method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('the hub did not answer in 15 s')));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  // 1. The CA, unverified — then pinned: it must be the one the token names.
  const caRes = await post(CA_PATH, undefined, { rejectUnauthorized: false });
  const ca = String(caRes.json?.ca ?? '');
  if (!ca || fingerprint(ca) !== parsed.caFingerprint) throw userError('AGENT_ENROLMENT_FAILED', `the hub at ${o.hub} does not hold the CA this token was made for (wrong hub, or someone in between)`);
  // 2. Everything else over TLS verified with the pinned CA.
  const keys = await generateKeyPair();
  const res = await post(ENROL_PATH, { secret: parsed.secret, publicKey: keys.publicKey, name: o.name }, { ca, rejectUnauthorized: true });
  if (res.status !== 200) throw userError('AGENT_ENROLMENT_FAILED', `the hub refused the enrolment: ${res.json?.error?.message ?? res.status}`);
  const { agentId, group, certificate } = res.json as { agentId: string; group: string; certificate: string };
  const cert = new X509Certificate(certificate);
  if (!cert.checkIssued(new X509Certificate(ca)) || !cert.verify(new X509Certificate(ca).publicKey)) throw userError('AGENT_ENROLMENT_FAILED', 'the certificate the hub sent is not signed by its CA');
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const write = (n: string, s: string, mode = 0o644) => {
    writeFileSync(path.join(o.stateDir, n), s, { mode });
    chmodSync(path.join(o.stateDir, n), mode);
  };
  write('agent.key', keys.privateKey, 0o600);
  write('agent.pem', certificate);
  write('ca.pem', ca);
  write('agent.json', JSON.stringify({ agentId, group, hub: o.hub }, null, 2));
  return { agentId, group, key: keys.privateKey, cert: certificate, ca };
}

export const isEnrolled = (stateDir: string) => existsSync(path.join(stateDir, 'agent.json'));
