// The storage schema, one for both dialects (DESIGN.md). Times are epoch milliseconds (BIGINT),
// JSON is text: the same values read back the same way from SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable } from 'kysely';

export interface EventsTable {
  id: Generated<number>;
  /** system|entity|record_id|version — a second delivery of the same version is absorbed. */
  dedupe_key: string;
  system: string;
  entity: string;
  record_id: string;
  version: string;
  payload: string;
  received_at: number;
  duplicates: Generated<number>;
}

/** 'paused': a job of a disabled flow, kept in order and never claimed until the flow is enabled. */
export type JobState = 'queued' | 'running' | 'dead' | 'paused';

export interface JobsTable {
  id: Generated<number>;
  queue: string;
  /** Jobs with the same key run one at a time, in id order. Null: no ordering constraint. */
  ordering_key: string | null;
  payload: string;
  state: JobState;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: number;
  lease_until: number | null;
  worker_id: string | null;
  event_id: number | null;
  /** JSON array of {attempt, at, error} — the attempt history a dead letter shows. */
  history: Generated<string>;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface RunsTable {
  id: Generated<number>;
  event_id: number | null;
  job_id: number;
  flow: string;
  record_key: string;
  status: 'succeeded' | 'skipped' | 'retrying' | 'dead';
  attempt: number;
  error: string | null;
  started_at: number;
  finished_at: number;
  /** The flow version the run used (migration 0002). */
  flow_version: number | null;
  /** Why a run was skipped, or what it could not do (e.g. "tracking not written"); migration 0002. */
  note: string | null;
  /** OpenTelemetry trace id of the attempt, when tracing is on (migration 0008). */
  trace_id: string | null;
}

export interface RunStepsTable {
  id: Generated<number>;
  run_id: number;
  seq: number;
  step: string;
  status: 'ok' | 'error' | 'skipped';
  input: string | null;
  output: string | null;
  error: string | null;
  started_at: number;
  duration_ms: number;
}

export interface XrefTable {
  id: Generated<number>;
  a_system: string;
  a_entity: string;
  a_id: string;
  b_system: string;
  b_entity: string;
  b_id: string;
  created_at: number;
}

export interface AppliedVersionsTable {
  /** flow|system|entity|record_id */
  key: string;
  version: string;
  updated_at: number;
}

export interface CursorsTable {
  id: string;
  cursor: string | null;
  updated_at: number;
}

export interface ConnectionsTable {
  id: string;
  system: string;
  /** Non-secret settings, JSON. */
  config: string;
  /** AES-256-GCM sealed JSON of the secret settings. */
  secrets: string | null;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  /** viewer | operator | admin (src/core/roles.ts); migration 0003. */
  role: Generated<string>;
  created_at: number;
  last_used_at: number | null;
}

export interface RateBucketsTable {
  key: string;
  tokens: number;
  rate_per_sec: number;
  burst: number;
  updated_at: number;
}

/** Which worker owns a poller until when (migration 0005, src/core/poller-lease.ts). */
export interface PollerLeasesTable {
  poller_id: string;
  owner: string;
  lease_until: number;
  epoch: number;
  updated_at: number;
}

/** Agents enrolled with the hub (migration 0005, src/agent/). */
export interface AgentsTable {
  id: string;
  agent_group: string;
  /** SHA-256 of the agent certificate (DER), hex, upper case with colons as node:crypto prints it. */
  fingerprint: string;
  serial: string;
  enrolled_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
}

/** One-time agent enrolment tokens, stored as SHA-256 (migration 0005). */
export interface AgentEnrolmentsTable {
  token_hash: string;
  agent_group: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  agent_id: string | null;
}

/** Amazon settlements posted to Sage X3 (migration 0006, src/settlement). */
export interface SettlementsTable {
  settlement_id: string;
  currency: string;
  /** held | posting | posted | failed */
  status: string;
  total_amount: string;
  revision: number;
  journal_hash: string | null;
  /** JSON */
  entries: string;
  /** JSON */
  problems: string;
  created_at: number;
  updated_at: number;
}

/** Which version of a configuration-file entry was last written to the store (migration 0008). */
export interface ConfigSeedsTable {
  key: string;
  hash: string;
  applied_at: number;
}

/** Console users (migration 0004); roles as for tokens (src/core/roles.ts). */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the session cookie's value. */
  token_hash: string;
  user_id: number;
  /** Sent back in X-CSRF-Token on every write (synchronizer token). */
  csrf: string;
  created_at: number;
  expires_at: number;
}

export interface SigninLinksTable {
  /** SHA-256 of a one-time sign-in token; the row is deleted when used. */
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** "user:NAME" or "token:NAME". */
  actor: string;
  /** e.g. "PUT /api/connections/:id". */
  action: string;
  target: string;
  /** JSON, secrets removed. */
  before: string | null;
  after: string | null;
  status: number;
}

export interface AlertRulesTable {
  id: Generated<number>;
  name: string;
  /** dead-letters | connection-down | reconciliation | anomaly */
  kind: string;
  threshold: number;
  window_minutes: number;
  /** A flow or connection id the rule watches; null: all. */
  subject: string | null;
  /** webhook | email */
  channel: string;
  /** URL or e-mail address. */
  target: string;
  enabled: number;
  firing: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface AlertHistoryTable {
  id: Generated<number>;
  rule_id: number;
  at: number;
  /** firing | resolved */
  state: string;
  message: string;
  delivered: number;
  error: string | null;
}

/** Orders held for review by a flow's `hold` step (migration 0016). */
export interface OrderHoldsTable {
  flow: string;
  record_key: string;
  version: string;
  /** held | released | cancelled */
  status: string;
  score: number;
  threshold: number;
  /** JSON array of texts */
  reasons: string;
  job_id: number | null;
  held_at: number;
  decided_at: number | null;
  decided_by: string | null;
  decision_reason: string | null;
}

/** A hold step's recent orders, per scorer scope (migration 0017; src/intelligence/risk-store.ts). */
export interface RiskOrdersTable {
  scope: string;
  order_id: string;
  at: number;
  /** JSON array of hashed keys */
  keys: string;
  /** decimal text */
  total: string;
  /** JSON array of [metric, key, value] */
  observations: string;
}

/** First and last order per hashed buyer, e-mail or address key (migration 0017). */
export interface RiskKeysTable {
  scope: string;
  key: string;
  first_at: number;
  last_at: number;
}

export interface FlowVersionsTable {
  flow_id: string;
  version: number;
  /** The flow document, JSON. */
  document: string;
  /** SHA-256 of the canonical document without its version: same hash, same flow. */
  hash: string;
  created_at: number;
  created_by: string;
}

export interface FlowStateTable {
  flow_id: string;
  /** 1 takes events, 0 refuses them at intake (not stored for the flow; a poller moves past them). */
  enabled: number;
  /** Null: the newest version. */
  pinned_version: number | null;
  updated_at: number;
}

export interface TemplateVersionsTable {
  /** mapping | lookup */
  kind: string;
  name: string;
  version: number;
  /** The YAML text as saved. */
  text: string;
  /** SHA-256 of the text: saving the same text again is no new version. */
  hash: string;
  created_at: number;
  created_by: string;
  /** Why, e.g. "rollback to version 2". */
  note: string | null;
}

export interface StepCheckpointsTable {
  job_id: number;
  /** JSON: outputs of the steps that succeeded, done `each` items, unknown-outcome times. */
  data: string;
  updated_at: number;
}

export interface SnapshotsTable {
  scope: string;
  key: string;
  hash: string;
  updated_at: number;
}

export interface LookupClaimsTable {
  key: string;
  owner: string;
  expires_at: number;
}

/** Reconciliations run from the admin API (migration 0013): the last of each pair survives a restart. */
export interface ReconciliationsTable {
  id: Generated<number>;
  pair: string;
  /** ok | differences | failed */
  status: string;
  at: number;
  duration_ms: number;
  by: string;
  summary: string | null;
  difference_count: number;
  /** JSON array, personal data masked */
  differences: string;
  error: string | null;
}

export interface Database {
  config_seeds: ConfigSeedsTable;
  settlements: SettlementsTable;
  events: EventsTable;
  jobs: JobsTable;
  runs: RunsTable;
  run_steps: RunStepsTable;
  xref: XrefTable;
  applied_versions: AppliedVersionsTable;
  cursors: CursorsTable;
  connections: ConnectionsTable;
  api_tokens: ApiTokensTable;
  rate_buckets: RateBucketsTable;
  poller_leases: PollerLeasesTable;
  agents: AgentsTable;
  agent_enrolments: AgentEnrolmentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  signin_links: SigninLinksTable;
  audit_log: AuditLogTable;
  alert_rules: AlertRulesTable;
  alert_history: AlertHistoryTable;
  flow_versions: FlowVersionsTable;
  flow_state: FlowStateTable;
  template_versions: TemplateVersionsTable;
  step_checkpoints: StepCheckpointsTable;
  snapshots: SnapshotsTable;
  lookup_claims: LookupClaimsTable;
  order_holds: OrderHoldsTable;
  risk_orders: RiskOrdersTable;
  risk_keys: RiskKeysTable;
  reconciliations: ReconciliationsTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
