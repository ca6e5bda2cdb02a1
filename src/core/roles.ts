// Roles, shared by API tokens and console users (least privilege: a new token or user gets the least).
// viewer: reads, PII masked · operator: also replays, edits payloads, discards dead letters ·
// admin: also connections, flows, mappings, users, tokens.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when `held` allows what `needed` allows. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
