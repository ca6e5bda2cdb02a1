// Alerts: rules over what the store already knows (dead letters per window, a connection down for
// M minutes), evaluated every few seconds, delivered by webhook (JSON POST) and by e-mail over SMTP
// (nodemailer) when a rule starts firing and when it resolves — within 60 s of the condition, not a
// 15-minute digest. The firing flag flips with a conditional UPDATE, so with several processes on
// one PostgreSQL store only the process that flipped it sends the notification. A reconciliation
// finding a target record twice is an event, not a polled condition: `alertDuplicates` is called with
// each reconciliation's findings and fires (or resolves) the `duplicate-reference` rules.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { AlertRulesTable, Database } from '../core/db/schema.js';
import { userError } from '../core/errors.js';

export const ALERT_KINDS = ['dead-letters', 'connection-down', 'duplicate-reference', 'order-flagged', 'reconciliation-difference'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_CHANNELS = ['webhook', 'email'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export interface AlertRule {
  id: number;
  name: string;
  kind: AlertKind;
  /** dead-letters: more than this many in the window; reconciliation-difference: more than this many differences; connection-down: unused (0). */
  threshold: number;
  /** dead-letters: the window; connection-down: how long it must be down. */
  windowMinutes: number;
  /** A flow id (dead-letters, order-flagged), connection id (connection-down) or pair (duplicate-reference, reconciliation-difference: xcart-sage300, amazon-x3); null: any. */
  subject: string | null;
  channel: AlertChannel;
  /** Webhook URL or e-mail address. */
  target: string;
  enabled: boolean;
  firing: boolean;
  createdAt: number;
  updatedAt: number;
}

export type AlertRuleInput = Pick<AlertRule, 'name' | 'kind' | 'threshold' | 'windowMinutes' | 'subject' | 'channel' | 'target' | 'enabled'>;

export interface AlertEvent {
  id: number;
  ruleId: number;
  at: number;
  state: 'firing' | 'resolved' | 'test';
  message: string;
  delivered: boolean;
  error: string | null;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function check(r: AlertRuleInput): void {
  const problems: string[] = [];
  if (typeof r.name !== 'string' || !r.name.trim() || r.name.length > 100) problems.push('name: 1-100 characters');
  if (!(ALERT_KINDS as readonly string[]).includes(r.kind)) problems.push(`kind: one of ${ALERT_KINDS.join(', ')}`);
  if (!(ALERT_CHANNELS as readonly string[]).includes(r.channel)) problems.push(`channel: one of ${ALERT_CHANNELS.join(', ')}`);
  if (!Number.isInteger(r.threshold) || r.threshold < 0) problems.push('threshold: a whole number ≥ 0');
  if (!Number.isInteger(r.windowMinutes) || r.windowMinutes < 1 || r.windowMinutes > 7 * 24 * 60) problems.push('windowMinutes: 1 to 10080');
  if (r.channel === 'email' && !EMAIL.test(r.target)) problems.push('target: an e-mail address');
  if (r.channel === 'webhook') {
    try {
      const u = new URL(r.target);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push('target: an http(s) URL');
    } catch {
      problems.push('target: an http(s) URL');
    }
  }
  if (problems.length) throw userError('ALERT_RULE_INVALID', `the alert rule is not valid: ${problems.join('; ')}`, { details: { problems } });
}

const toRule = (r: Selectable<AlertRulesTable>): AlertRule => ({
  id: Number(r.id),
  name: r.name,
  kind: r.kind as AlertKind,
  threshold: Number(r.threshold),
  windowMinutes: Number(r.window_minutes),
  subject: r.subject ?? null,
  channel: r.channel as AlertChannel,
  target: r.target,
  enabled: Number(r.enabled) === 1,
  firing: Number(r.firing) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export class AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<AlertRule[]> {
    return (await this.db.selectFrom('alert_rules').selectAll().orderBy('id').execute()).map(toRule);
  }

  async get(id: number): Promise<AlertRule | undefined> {
    const r = await this.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRule(r) : undefined;
  }

  async create(input: AlertRuleInput): Promise<AlertRule> {
    check(input);
    const now = Date.now();
    const row = await this.db
      .insertInto('alert_rules')
      .values({ name: input.name.trim(), kind: input.kind, threshold: input.threshold, window_minutes: input.windowMinutes, subject: input.subject || null, channel: input.channel, target: input.target, enabled: input.enabled ? 1 : 0, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.get(Number(row.id)))!;
  }

  async update(id: number, input: AlertRuleInput): Promise<AlertRule | undefined> {
    check(input);
    await this.db
      .updateTable('alert_rules')
      .set({ name: input.name.trim(), kind: input.kind, threshold: input.threshold, window_minutes: input.windowMinutes, subject: input.subject || null, channel: input.channel, target: input.target, enabled: input.enabled ? 1 : 0, firing: 0, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Flips the firing flag; true only for the caller that changed it (the one that notifies). */
  async flip(id: number, firing: boolean): Promise<boolean> {
    const r = await this.db.updateTable('alert_rules').set({ firing: firing ? 1 : 0 }).where('id', '=', id).where('firing', '=', firing ? 0 : 1).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async record(e: Omit<AlertEvent, 'id'>): Promise<void> {
    await this.db.insertInto('alert_history').values({ rule_id: e.ruleId, at: e.at, state: e.state, message: e.message, delivered: e.delivered ? 1 : 0, error: e.error }).execute();
  }

  async history(opts: { ruleId?: number; limit?: number } = {}): Promise<AlertEvent[]> {
    let q = this.db.selectFrom('alert_history').selectAll();
    if (opts.ruleId !== undefined) q = q.where('rule_id', '=', opts.ruleId);
    const rows = await q.orderBy('id', 'desc').limit(opts.limit ?? 100).execute();
    return rows.map((r) => ({ id: Number(r.id), ruleId: Number(r.rule_id), at: Number(r.at), state: r.state as AlertEvent['state'], message: r.message, delivered: Number(r.delivered) === 1, error: r.error }));
  }
}

export interface AlertSources {
  /** Since when a connection has been down (epoch ms; src/http/client.ts `downSince`), undefined while it is up. */
  downSince(connectionId: string): number | undefined;
  /** Every connection id (for rules without a subject). */
  connections(): Promise<string[]>;
}

export interface AlertOptions {
  db: Kysely<Database>;
  sources: AlertSources;
  logger?: Logger;
  /** smtp://user:pass@host:port (default $SYNCLINE_SMTP_URL); without it, e-mail rules record an error. */
  smtpUrl?: string;
  from?: string;
  /** How often rules are evaluated (default $SYNCLINE_ALERT_EVERY_MS or 10 s; well inside the 60 s promise). */
  everyMs?: number;
  /** Base URL of the console, for links in notifications. */
  consoleUrl?: string;
}

export class AlertEvaluator {
  readonly store: AlertStore;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private transport: Transporter | undefined;

  constructor(private readonly opts: AlertOptions) {
    this.store = new AlertStore(opts.db);
  }

  start(): void {
    const every = this.opts.everyMs ?? (Number(process.env.SYNCLINE_ALERT_EVERY_MS) || 10_000);
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.transport?.close();
  }

  /** One evaluation of every enabled rule; notifications are sent before it returns. */
  async tick(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const rule of await this.store.list()) {
        if (!rule.enabled || rule.kind === 'duplicate-reference' || rule.kind === 'order-flagged' || rule.kind === 'reconciliation-difference') continue; // events: raised by reconciliations and hold steps
        try {
          const { firing, message } = await this.condition(rule, now);
          if (firing !== rule.firing && (await this.store.flip(rule.id, firing))) await this.notify(rule, firing ? 'firing' : 'resolved', message, now);
        } catch (e) {
          this.opts.logger?.warn({ err: e, rule: rule.id }, 'alert rule evaluation failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async condition(rule: AlertRule, now: number): Promise<{ firing: boolean; message: string }> {
    if (rule.kind === 'dead-letters') {
      let q = this.opts.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'dead').where('updated_at', '>=', now - rule.windowMinutes * 60_000);
      if (rule.subject) q = q.where('queue', '=', rule.subject);
      const n = Number((await q.executeTakeFirstOrThrow()).n);
      return { firing: n > rule.threshold, message: `${n} dead letter${n === 1 ? '' : 's'} in the last ${rule.windowMinutes} min${rule.subject ? ` on ${rule.subject}` : ''} (threshold: more than ${rule.threshold})` };
    }
    // Down since the first failed call of the failures that opened its circuit (this process's observation).
    const ids = rule.subject ? [rule.subject] : await this.opts.sources.connections();
    const down = ids.filter((id) => (this.opts.sources.downSince(id) ?? Infinity) <= now - rule.windowMinutes * 60_000);
    return { firing: down.length > 0, message: down.length ? `connection ${down.join(', ')} down (every call failing, circuit open) for ${rule.windowMinutes} min or more` : `${rule.subject ?? 'every connection'} is up` };
  }

  /** Sends one notification and records it in the history, delivered or not. */
  async notify(rule: AlertRule, state: AlertEvent['state'], message: string, now = Date.now()): Promise<AlertEvent> {
    const title = `[Syncline] ${state === 'resolved' ? 'RESOLVED' : state === 'test' ? 'TEST' : 'FIRING'}: ${rule.name}`;
    const link = this.opts.consoleUrl ? `${this.opts.consoleUrl}/alerts` : undefined;
    let error: string | null = null;
    try {
      if (rule.channel === 'webhook') {
        const res = await fetch(rule.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'syncline-alerts' },
          body: JSON.stringify({ rule: { id: rule.id, name: rule.name, kind: rule.kind, subject: rule.subject }, state, message, at: new Date(now).toISOString(), ...(link ? { link } : {}) }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) error = `webhook answered ${res.status}`;
      } else {
        const url = this.opts.smtpUrl ?? process.env.SYNCLINE_SMTP_URL;
        if (!url) error = 'no SMTP server configured (SYNCLINE_SMTP_URL)';
        else {
          this.transport ??= nodemailer.createTransport(url);
          await this.transport.sendMail({ from: this.opts.from ?? process.env.SYNCLINE_ALERT_FROM ?? 'syncline@localhost', to: rule.target, subject: title, text: `${message}\n\nRule: ${rule.name} (${rule.kind})\nAt: ${new Date(now).toISOString()}${link ? `\nConsole: ${link}` : ''}\n` });
        }
      }
    } catch (e) {
      error = (e as Error).message;
    }
    if (error) this.opts.logger?.warn({ rule: rule.id, channel: rule.channel, error }, 'alert not delivered');
    const event = { ruleId: rule.id, at: now, state, message, delivered: error === null, error };
    await this.store.record(event);
    return { id: 0, ...event };
  }
}

/** A target record carrying one source reference more than once, as a reconciliation found it. */
export interface DuplicateFinding {
  /** The source reference (X-Cart order number, Amazon order id, settlement REF). */
  reference: string;
  /** Where it was found twice: the target records, for the operator to cancel the extra one. */
  detail: string;
}

/**
 * Fires every enabled `duplicate-reference` rule of this pair when a reconciliation found duplicates,
 * and resolves a firing one when a later reconciliation found none. Returns the notifications sent.
 */
export async function alertDuplicates(opts: Omit<AlertOptions, 'sources'>, pair: string, found: DuplicateFinding[], now = Date.now()): Promise<AlertEvent[]> {
  const alerts = new AlertEvaluator({ ...opts, sources: { downSince: () => undefined, connections: async () => [] } });
  const sent: AlertEvent[] = [];
  try {
    for (const rule of await alerts.store.list()) {
      if (!rule.enabled || rule.kind !== 'duplicate-reference' || (rule.subject && rule.subject !== pair)) continue;
      const firing = found.length > 0;
      const shown = found.slice(0, 20).map((f) => `${f.reference} (${f.detail})`).join('; ');
      const message = firing
        ? `reconcile ${pair}: ${found.length} source reference${found.length === 1 ? '' : 's'} carried by more than one target record: ${shown}${found.length > 20 ? '; …' : ''}`
        : `reconcile ${pair}: no source reference carried twice`;
      // A new finding while firing notifies again: each reconciliation's duplicates need an operator.
      if (firing || (rule.firing && (await alerts.store.flip(rule.id, false)))) {
        if (firing) await alerts.store.flip(rule.id, true);
        sent.push(await alerts.notify(rule, firing ? 'firing' : 'resolved', message, now));
      }
    }
  } finally {
    alerts.stop();
  }
  return sent;
}

/**
 * A reconciliation of `pair` finished (from the admin API or the console): every enabled
 * `reconciliation-difference` rule of the pair (or of any pair) fires when it found more than the
 * rule's threshold of differences, notifying again on each such run (each needs an operator), and
 * resolves when a later run found no more than the threshold. Returns the notifications sent.
 */
export async function alertReconciliation(opts: Omit<AlertOptions, 'sources'>, pair: string, differences: number, summary: string, now = Date.now()): Promise<AlertEvent[]> {
  const rules = (await new AlertStore(opts.db).list()).filter((r) => r.enabled && r.kind === 'reconciliation-difference' && (!r.subject || r.subject === pair));
  if (!rules.length) return [];
  const alerts = new AlertEvaluator({ ...opts, sources: { downSince: () => undefined, connections: async () => [] } });
  const sent: AlertEvent[] = [];
  try {
    for (const rule of rules) {
      const firing = differences > rule.threshold;
      const message = `reconcile ${pair}: ${differences} difference${differences === 1 ? '' : 's'} (threshold: more than ${rule.threshold}) · ${summary}`;
      if (firing) {
        await alerts.store.flip(rule.id, true);
        sent.push(await alerts.notify(rule, 'firing', message, now));
      } else if (rule.firing && (await alerts.store.flip(rule.id, false))) sent.push(await alerts.notify(rule, 'resolved', message, now));
    }
  } finally {
    alerts.stop();
  }
  return sent;
}

/**
 * An order a flow's `hold` step flagged (an anomaly, or a risk score it held): every enabled
 * `order-flagged` rule of that flow (or of any flow) is notified with the reason. An event, like a
 * duplicate reference: each flagged order notifies once (src/flows/steps/hold.ts).
 */
export async function alertFlagged(opts: Omit<AlertOptions, 'sources'>, flow: string, message: string, now = Date.now()): Promise<AlertEvent[]> {
  const rules = (await new AlertStore(opts.db).list()).filter((r) => r.enabled && r.kind === 'order-flagged' && (!r.subject || r.subject === flow));
  if (!rules.length) return [];
  const alerts = new AlertEvaluator({ ...opts, sources: { downSince: () => undefined, connections: async () => [] } });
  try {
    const sent: AlertEvent[] = [];
    for (const rule of rules) sent.push(await alerts.notify(rule, 'firing', message, now));
    return sent;
  } finally {
    alerts.stop();
  }
}
