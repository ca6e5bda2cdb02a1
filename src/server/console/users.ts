// Console users, their sessions and one-time sign-in links. A person signs in by opening a link an
// admin (or `syncline demo`) handed them, like Jupyter's token URL: the link's token is exchanged
// once for a session cookie. Only SHA-256 hashes of tokens are stored, so a copy of the database
// signs nobody in. Roles are the ones API tokens carry (src/core/roles.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema.js';
import { userError } from '../../core/errors.js';
import { isRole, ROLES, type Role } from '../../core/roles.js';

export interface UserView {
  id: number;
  name: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

/** Who a request speaks for: a console user (session cookie) or an API token (bearer). */
export interface Principal {
  kind: 'user' | 'token';
  id: number;
  name: string;
  role: Role;
  /** Sessions only: the value writes must echo in X-CSRF-Token. */
  csrf?: string;
}

export const SESSION_COOKIE = 'syncline_session';
const SESSION_TTL_MS = 12 * 3600_000;
const LINK_TTL_MS = 24 * 3600_000;

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<UserView[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('id').execute();
    return rows.map(view);
  }

  async get(id: number): Promise<UserView | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? view(r) : undefined;
  }

  async byName(name: string): Promise<UserView | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? view(r) : undefined;
  }

  /** A new user; least privilege: a viewer unless asked otherwise. */
  async create(name: string, role: Role = 'viewer'): Promise<UserView> {
    if (typeof name !== 'string' || !NAME.test(name)) throw userError('USER_INVALID', `a user name is 1-64 letters, digits, ".", "_", "@" or "-", got "${String(name).slice(0, 80)}"`);
    if (!isRole(role)) throw userError('USER_INVALID', `"${String(role)}" is not a role; use one of ${ROLES.join(', ')}`);
    if (await this.byName(name)) throw userError('USER_INVALID', `a user named "${name}" already exists`);
    const now = Date.now();
    const row = await this.db.insertInto('users').values({ name, role, created_at: now, disabled_at: null }).returning('id').executeTakeFirstOrThrow();
    return { id: Number(row.id), name, role, createdAt: now, disabled: false };
  }

  /** The user named `name`, created with `role` if missing (the demo's admin). */
  async ensure(name: string, role: Role): Promise<UserView> {
    return (await this.byName(name)) ?? this.create(name, role);
  }

  async update(id: number, change: { role?: Role; disabled?: boolean }): Promise<UserView | undefined> {
    if (change.role !== undefined && !isRole(change.role)) throw userError('USER_INVALID', `"${String(change.role)}" is not a role; use one of ${ROLES.join(', ')}`);
    const set: { role?: string; disabled_at?: number | null } = {};
    if (change.role !== undefined) set.role = change.role;
    if (change.disabled !== undefined) set.disabled_at = change.disabled ? Date.now() : null;
    if (Object.keys(set).length) await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    // A role change or a disable applies at once: the user's sessions end and they sign in again.
    if (change.disabled || change.role !== undefined) await this.db.deleteFrom('sessions').where('user_id', '=', id).execute();
    return this.get(id);
  }

  /** A one-time sign-in token for a user (valid 24 h, or until used). */
  async createSigninLink(userId: number, ttlMs = LINK_TTL_MS): Promise<string> {
    const token = 'sli_' + randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.db.insertInto('signin_links').values({ token_hash: hash(token), user_id: userId, created_at: now, expires_at: now + ttlMs }).execute();
    return token;
  }

  /** Exchanges a sign-in token (once) for a session; undefined when unknown, used or expired. */
  async exchange(token: unknown): Promise<{ session: string; principal: Principal } | undefined> {
    if (typeof token !== 'string' || !token.startsWith('sli_') || token.length > 200) return undefined;
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const link = await trx.selectFrom('signin_links').selectAll().where('token_hash', '=', hash(token)).executeTakeFirst();
      if (!link) return undefined;
      // Deleted whether or not it is still valid: a link works once.
      await trx.deleteFrom('signin_links').where('token_hash', '=', link.token_hash).execute();
      if (Number(link.expires_at) < now) return undefined;
      const user = await trx.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirst();
      if (!user || user.disabled_at !== null) return undefined;
      const session = 'ses_' + randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      await trx.insertInto('sessions').values({ token_hash: hash(session), user_id: Number(user.id), csrf, created_at: now, expires_at: now + SESSION_TTL_MS }).execute();
      await trx.deleteFrom('sessions').where('expires_at', '<', now).execute();
      await trx.deleteFrom('signin_links').where('expires_at', '<', now).execute();
      return { session, principal: { kind: 'user' as const, id: Number(user.id), name: user.name, role: isRole(user.role) ? user.role : 'viewer', csrf } };
    });
  }

  /** The user a session cookie speaks for, or undefined when unknown, expired or disabled. */
  async sessionPrincipal(session: string | undefined): Promise<Principal | undefined> {
    if (typeof session !== 'string' || !session.startsWith('ses_') || session.length > 200) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id as id', 'users.name as name', 'users.role as role', 'users.disabled_at as disabled_at', 'sessions.csrf as csrf', 'sessions.expires_at as expires_at'])
      .where('sessions.token_hash', '=', hash(session))
      .executeTakeFirst();
    if (!row || row.disabled_at !== null || Number(row.expires_at) < Date.now()) return undefined;
    return { kind: 'user', id: Number(row.id), name: row.name, role: isRole(row.role) ? row.role : 'viewer', csrf: row.csrf };
  }

  async endSession(session: string | undefined): Promise<void> {
    if (typeof session === 'string') await this.db.deleteFrom('sessions').where('token_hash', '=', hash(session)).execute();
  }
}

function view(r: { id: number; name: string; role: string; created_at: number; disabled_at: number | null }): UserView {
  return { id: Number(r.id), name: r.name, role: isRole(r.role) ? r.role : 'viewer', createdAt: Number(r.created_at), disabled: r.disabled_at !== null };
}

/**
 * A URL that signs a browser in as the user `name` (created as `role` if missing). The token rides in
 * the fragment, which browsers never send to a server, so it reaches no access log; the console
 * takes it out of the address bar at once and exchanges it for a session cookie.
 */
export async function consoleSigninUrl(db: Kysely<Database>, baseUrl: string, name = 'admin', role: Role = 'admin'): Promise<string> {
  const users = new UserStore(db);
  const user = await users.ensure(name, role);
  return `${baseUrl}/#signin=${await users.createSigninLink(user.id)}`;
}
