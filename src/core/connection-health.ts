// Connection health: is each connection usable right now, and if not, why. Three inputs feed it —
// the HTTP client's circuit breaker (opens and closes), authentication failures (a 401/403 or a
// connector's *_AUTH_FAILED), and connection tests (at start, on a timer, on demand) — and three
// things read it: the worker (jobs of a flow whose connection is paused wait instead of being
// dead-lettered; those of a flow whose connection's circuit is open are not claimed until its
// probe), /readyz and /metrics (degraded, with the reason), and alert subscribers (the console's
// alert rules, a webhook) through `onAlert`.
//
// States: ok · degraded (the circuit is open or the last test failed for a transient reason: calls
// fail, jobs retry with backoff as usual; while the circuit is open they wait for its probe) · paused (the credentials were refused: retrying cannot
// help, so the work waits until a test succeeds) · unknown (not tested yet).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { SynclineError } from './errors.js';

export type HealthState = 'ok' | 'degraded' | 'paused' | 'unknown';
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated' | 'unknown';

export interface ConnectionHealth {
  connection: string;
  state: HealthState;
  /** Why it is not ok (the error message of the failure that put it there). */
  reason?: string;
  code?: string;
  circuit: CircuitStateName;
  /** When the state last changed (epoch ms). */
  since: number;
  /** When the last test ran, and whether it passed. */
  lastTest?: { at: number; ok: boolean; ms: number; code?: string };
  /** While the circuit is open: when its breaker lets a probe through (epoch ms). */
  probeAt?: number;
}

/** What an alert subscriber receives: one per state change (never one per failed call). */
export interface HealthAlert {
  connection: string;
  state: HealthState;
  previous: HealthState;
  circuit: CircuitStateName;
  reason?: string;
  code?: string;
  at: number;
}

/** The answer of `syncline connection test ID` and POST /api/connections/:id/test. */
export interface ConnectionTestResult {
  connection: string;
  ok: boolean;
  ms: number;
  /** The connection's health after the test. */
  state: HealthState;
  error?: { code: string; kind: string; message: string; authFailure: boolean };
  /** What the connector wants an operator to know (e.g. a target safeguard that is off). */
  notes?: string[];
}

/** What the server needs from the runtime to test, reload and protect connections. */
export interface ConnectionOps {
  test(id: string): Promise<ConnectionTestResult>;
  /** After an API write: rebuild (or drop) the client and test it. */
  changed(id: string): Promise<ConnectionTestResult | undefined>;
  /** Flows that use the connection (a connection in use cannot be deleted). */
  usedBy(id: string): string[];
  health: ConnectionHealthRegistry;
}

/**
 * Process-wide signals from the HTTP client (it serves every connector, and knows nothing of
 * registries). Each registry listens for the connections it tracks. Events:
 *   'circuit'   { connection, state: CircuitStateName, probeAt?: epoch ms (when opened), reason? }
 *   'auth'      { connection, error: SynclineError }   — credentials refused
 *   'recovered' { connection }                          — a call succeeded after an auth failure
 */
export const connectionSignals = new EventEmitter();
connectionSignals.setMaxListeners(0);

/** Connections that had an auth failure: the client reports the next success (a cheap Set lookup per call). */
export const authFailing = new Set<string>();

const AUTH_CODE = /(^|_)(AUTH_FAILED|LWA_REJECTED)$/;

/** True when an error means "the credentials were refused", for any connector. */
export function isAuthFailure(err: Pick<SynclineError, 'code' | 'details'>): boolean {
  if (AUTH_CODE.test(err.code)) return true;
  const status = err.details?.status;
  return status === 401 || status === 403 ? err.code.startsWith('HTTP_') : false;
}

export interface HealthOptions {
  logger?: Logger;
  /** Registers syncline_connection_health and syncline_circuit_state here. */
  registry?: Registry;
  /** How long a held job waits before it is looked at again (default 30 s). */
  holdMs?: number;
}

export class ConnectionHealthRegistry {
  private readonly states = new Map<string, ConnectionHealth>();
  private readonly flowConnections = new Map<string, string[]>();
  private readonly events = new EventEmitter();
  private readonly holdMs: number;
  private readonly listeners: Array<[string, (...args: any[]) => void]> = [];
  private readonly healthGauge?: Gauge<'connection' | 'state'>;
  private readonly circuitGauge?: Gauge<'connection' | 'state'>;

  constructor(private readonly opts: HealthOptions = {}) {
    this.holdMs = opts.holdMs ?? 30_000;
    this.events.setMaxListeners(0);
    const reg = opts.registry;
    if (reg) {
      // One series per (connection, state), 1 for the current state: alert on `== 1` of a bad state.
      this.healthGauge = (reg.getSingleMetric('syncline_connection_health') as Gauge<'connection' | 'state'> | undefined) ??
        new Gauge({ name: 'syncline_connection_health', help: 'Connection health: 1 for the current state (ok, degraded, paused, unknown)', labelNames: ['connection', 'state'], registers: [reg] });
      this.circuitGauge = (reg.getSingleMetric('syncline_circuit_state') as Gauge<'connection' | 'state'> | undefined) ??
        new Gauge({ name: 'syncline_circuit_state', help: 'Circuit breaker of each connection: 1 for the current state (closed, open, half-open)', labelNames: ['connection', 'state'], registers: [reg] });
    }
    const on = (name: string, fn: (...args: any[]) => void) => {
      connectionSignals.on(name, fn);
      this.listeners.push([name, fn]);
    };
    on('circuit', ({ connection, state, reason, probeAt }: { connection: string; state: CircuitStateName; reason?: string; probeAt?: number }) => this.circuit(connection, state, reason, probeAt));
    on('auth', ({ connection, error }: { connection: string; error: SynclineError }) => this.authFailed(connection, error));
    on('recovered', ({ connection }: { connection: string }) => {
      const h = this.states.get(connection);
      if (h?.state === 'paused') this.set(connection, 'ok', undefined, undefined);
    });
  }

  /** Starts tracking a connection (idempotent). */
  track(connection: string): void {
    if (this.states.has(connection)) return;
    this.states.set(connection, { connection, state: 'unknown', circuit: 'closed', since: Date.now() });
    this.publish(connection);
  }

  untrack(connection: string): void {
    this.states.delete(connection);
    authFailing.delete(connection);
    for (const s of ['ok', 'degraded', 'paused', 'unknown']) this.healthGauge?.remove({ connection, state: s });
    for (const s of ['closed', 'open', 'half-open']) this.circuitGauge?.remove({ connection, state: s });
  }

  /** Which connections a flow (queue) uses: its jobs wait while any of them is paused. */
  setFlowConnections(flowId: string, connections: string[]): void {
    this.flowConnections.set(flowId, [...new Set(connections)]);
  }

  /** Every queue (flow id) the worker may claim from; set by main.ts (flows can be added live). */
  queueSource: () => string[] = () => [...this.flowConnections.keys()];

  allQueues(): string[] {
    return this.queueSource();
  }

  /** Flows using this connection. */
  flowsUsing(connection: string): string[] {
    return [...this.flowConnections].filter(([, ids]) => ids.includes(connection)).map(([f]) => f);
  }

  get(connection: string): ConnectionHealth | undefined {
    const h = this.states.get(connection);
    return h ? { ...h } : undefined;
  }

  list(): ConnectionHealth[] {
    return [...this.states.values()].map((h) => ({ ...h })).sort((a, b) => a.connection.localeCompare(b.connection));
  }

  isPaused(connection: string): boolean {
    return this.states.get(connection)?.state === 'paused';
  }

  /**
   * Queues (flow ids) whose jobs must not be claimed now: a connection of theirs is paused, or its
   * circuit is open until its probe or the probe is under way (half-open). A job claimed then would
   * only wait for the probe or fail at once, holding a worker slot that other flows' jobs need.
   */
  pausedQueues(now = Date.now()): Set<string> {
    const out = new Set<string>();
    for (const [flow, ids] of this.flowConnections) if (ids.some((id) => this.isPaused(id) || this.untilProbe(id, now) > 0)) out.add(flow);
    return out;
  }

  /** Ms until the connection's open circuit lets a call through (0: it does now); a probe under way counts as a second. */
  private untilProbe(connection: string, now: number): number {
    const h = this.states.get(connection);
    if (h?.circuit === 'half-open') return 1_000;
    return h?.circuit === 'open' && h.probeAt !== undefined ? Math.max(0, h.probeAt - now) : 0;
  }

  /**
   * Called by the worker when a job failed: a delay (ms) means "hold it, do not count the attempt,
   * do not dead-letter": the credentials of one of its connections were refused, or one is paused,
   * or its call met an open circuit — it was never sent, so it waits for the probe. An outage
   * longer than the retry budget then dead-letters nothing; the connection-down alert tells.
   */
  hold(queue: string, err: SynclineError): number | undefined {
    const ids = this.flowConnections.get(queue) ?? [];
    if (err.code === 'CIRCUIT_OPEN') {
      const conn = typeof err.details.connection === 'string' ? err.details.connection : undefined;
      return (conn ? this.untilProbe(conn, Date.now()) : 0) || (err.retryAfterMs ?? 5_000);
    }
    if (isAuthFailure(err)) {
      const conn = typeof err.details.connection === 'string' ? err.details.connection : ids.length === 1 ? ids[0] : undefined;
      if (conn) {
        if (!this.isPaused(conn)) this.authFailed(conn, err);
        return this.holdMs;
      }
    }
    return ids.some((id) => this.isPaused(id)) ? this.holdMs : undefined;
  }

  /** A connection test's result. */
  tested(connection: string, result: { ok: boolean; ms: number; error?: SynclineError }): void {
    this.track(connection);
    const h = this.states.get(connection)!;
    h.lastTest = { at: Date.now(), ok: result.ok, ms: result.ms, ...(result.error ? { code: result.error.code } : {}) };
    if (result.ok) {
      authFailing.delete(connection);
      this.set(connection, h.circuit === 'open' ? 'degraded' : 'ok', h.circuit === 'open' ? h.reason : undefined, h.circuit === 'open' ? h.code : undefined);
    } else if (result.error && isAuthFailure(result.error)) this.authFailed(connection, result.error);
    else if (result.error?.code === 'CIRCUIT_OPEN' && h.state === 'degraded') this.publish(connection);
    else this.set(connection, 'degraded', result.error?.message ?? 'connection test failed', result.error?.code);
  }

  /** Subscribe to state changes (open/close of a circuit, pause/resume). Returns an unsubscribe. */
  onAlert(listener: (alert: HealthAlert) => void): () => void {
    this.events.on('alert', listener);
    return () => this.events.off('alert', listener);
  }

  close(): void {
    for (const [name, fn] of this.listeners.splice(0)) connectionSignals.off(name, fn);
  }

  private authFailed(connection: string, error: SynclineError): void {
    if (!this.states.has(connection)) return;
    authFailing.add(connection);
    this.set(connection, 'paused', `credentials refused: ${error.message}`, error.code);
  }

  private circuit(connection: string, state: CircuitStateName, cause?: string, probeAt?: number): void {
    const h = this.states.get(connection);
    if (!h || h.circuit === state) return;
    const previous = h.circuit;
    h.circuit = state;
    if (state === 'open') h.probeAt = probeAt;
    else delete h.probeAt;
    const log = this.opts.logger;
    const reason = `circuit open after repeated failures${cause ? ` (last: ${cause})` : ''}`;
    // The circuit's own two lines stand for the outage; the state change they cause is not logged again.
    if (state === 'open') log?.warn({ connection, circuit: state, reason }, `circuit of ${connection} opened: calls are paused after repeated failures${cause ? `; last: ${cause}` : ''}`);
    else if (state === 'closed' && previous !== 'closed') log?.warn({ connection, circuit: state }, `circuit of ${connection} closed: calls go through again`);
    if (h.state === 'paused') return this.publish(connection);
    if (state === 'open') this.set(connection, 'degraded', reason, 'CIRCUIT_OPEN', true);
    else if (state === 'closed') this.set(connection, 'ok', undefined, undefined, true);
    else this.publish(connection);
  }

  private set(connection: string, state: HealthState, reason: string | undefined, code: string | undefined, quiet = false): void {
    const h = this.states.get(connection);
    if (!h) return;
    const previous = h.state;
    const changed = previous !== state;
    h.reason = reason;
    h.code = code;
    if (changed) h.since = Date.now();
    h.state = state;
    this.publish(connection);
    if (!changed) return;
    const log = quiet ? undefined : this.opts.logger;
    // One line per change of state, never one per failed call.
    if (state === 'paused') log?.warn({ connection, code, reason }, `connection ${connection} paused: ${reason}; its jobs wait until a connection test succeeds`);
    else if (state === 'degraded') log?.warn({ connection, code, reason }, `connection ${connection} degraded: ${reason}`);
    else if (state === 'ok' && previous !== 'unknown') log?.warn({ connection, previous }, `connection ${connection} ok again (was ${previous})`);
    const alert: HealthAlert = { connection, state, previous, circuit: h.circuit, ...(reason ? { reason } : {}), ...(code ? { code } : {}), at: Date.now() };
    this.events.emit('alert', alert);
  }

  private publish(connection: string): void {
    const h = this.states.get(connection);
    if (!h) return;
    for (const s of ['ok', 'degraded', 'paused', 'unknown'] as const) this.healthGauge?.set({ connection, state: s }, h.state === s ? 1 : 0);
    for (const s of ['closed', 'open', 'half-open'] as const) this.circuitGauge?.set({ connection, state: s }, h.circuit === s ? 1 : 0);
  }
}
