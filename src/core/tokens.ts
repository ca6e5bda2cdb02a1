// API tokens for the admin API. A token is shown once, at creation; only its SHA-256 is stored, so
// a copy of the database does not let anyone call the API. Tokens carry 256 random bits, so a plain
// (unsalted, fast) hash is enough: there is no dictionary to try.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { userError } from './errors.js';
import { isRole, ROLES, type Role } from './roles.js';

export const TOKEN_PREFIX = 'syn_';

export interface ApiTokenView {
  id: number;
  name: string;
  /** What the token may do (least privilege: a new token is a viewer unless asked otherwise). */
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Who a valid token speaks for. */
export interface TokenPrincipal {
  id: number;
  name: string;
  role: Role;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The secret itself: shown to the operator now, never again. */
  token: string;
}

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class ApiTokenStore {
  // last_used_at is for "which tokens are still in use", not an audit log: writing it on every
  // request would turn each read of the API into a write, so it is refreshed at most once a minute.
  private readonly touchEveryMs = 60_000;

  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, role: Role = 'viewer'): Promise<CreatedApiToken> {
    const clean = typeof name === 'string' ? name.trim() : '';
    if (!clean || clean.length > 100) throw userError('TOKEN_NAME_INVALID', 'a token needs a name of 1-100 characters saying who or what uses it (e.g. "ci", "grafana")');
    if (!isRole(role)) throw userError('TOKEN_ROLE_INVALID', `"${String(role)}" is not a role; use one of ${ROLES.join(', ')}`);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = Date.now();
    const row = await this.db
      .insertInto('api_tokens')
      .values({ name: clean, token_hash: hash(token), role, created_at: now, last_used_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), name: clean, role, createdAt: now, lastUsedAt: null, token };
  }

  /** The token's id when it is valid, else undefined. */
  async verify(token: string | undefined): Promise<number | undefined> {
    return (await this.authenticate(token))?.id;
  }

  /** Who the token speaks for and with which role, or undefined when it is unknown or revoked. */
  async authenticate(token: string | undefined): Promise<TokenPrincipal | undefined> {
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = await this.db.selectFrom('api_tokens').select(['id', 'name', 'role', 'last_used_at']).where('token_hash', '=', hash(token)).executeTakeFirst();
    if (!row) return undefined;
    const now = Date.now();
    if (row.last_used_at === null || now - Number(row.last_used_at) >= this.touchEveryMs) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    // A role this version does not know (a newer version wrote it, or a hand edit) grants the least.
    return { id: Number(row.id), name: row.name, role: isRole(row.role) ? row.role : 'viewer' };
  }

  async list(): Promise<ApiTokenView[]> {
    const rows = await this.db.selectFrom('api_tokens').select(['id', 'name', 'role', 'created_at', 'last_used_at']).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), name: r.name, role: isRole(r.role) ? r.role : 'viewer', createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at) }));
  }

  /** True when a token was revoked; it stops working at once. */
  async revoke(id: number): Promise<boolean> {
    const res = await this.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
