// Version schemes: one per source entity, declared by the connector that produces its events, so
// versions from a poller and from a webhook of the same record compare correctly by construction.
// An event whose version does not parse under its entity's scheme is refused at intake, with a
// reason (issue 10: an ISO webhook version once outranked every later poller version as a string).
import { userError } from './errors.js';
import type { IncomingEvent } from './triggers.js';

export interface VersionScheme {
  /** Human name shown in the refusal, e.g. "X-Cart order: <12-digit seconds>.<4-digit revision>". */
  describe: string;
  /** Versions of this scheme compare correctly as strings once they match this. */
  pattern: RegExp;
}

/** Date#toISOString: an ISO-8601 UTC instant with milliseconds; compares correctly as a string. */
export const ISO_MS_SCHEME: VersionScheme = { describe: 'an ISO-8601 UTC instant with milliseconds (YYYY-MM-DDTHH:MM:SS.sssZ)', pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ };
/** A zero-padded 12-digit sequence or stamp (a record's uniquifier, a stock movement counter). */
export const SEQUENCE12_SCHEME: VersionScheme = { describe: 'a 12-digit zero-padded sequence', pattern: /^\d{12}$/ };

const schemes = new Map<string, VersionScheme>();

/**
 * Declares the version scheme of `system`'s `entity` events (connectors call this when loaded). A
 * trigger whose versions depend on how its connection reads the entity (Sage 300 shipments: order
 * stamps or the OEShipments uniquifier) declares that connection's scheme when it is built.
 */
export function declareVersionScheme(system: string, entity: string, scheme: VersionScheme, connection?: string): void {
  schemes.set(connection === undefined ? `${system}|${entity}` : `${connection}|${system}|${entity}`, scheme);
}

/** The scheme of `entity` events arriving through `connection`: the connection's own, else the system's. */
export function versionScheme(system: string, entity: string, connection?: string): VersionScheme | undefined {
  return (connection !== undefined ? schemes.get(`${connection}|${system}|${entity}`) : undefined) ?? schemes.get(`${system}|${entity}`);
}

/** Throws EVENT_VERSION_INVALID when the event's version does not parse under its entity's scheme (on that connection). */
export function checkVersion(e: IncomingEvent, connection?: string): void {
  const scheme = versionScheme(e.system, e.entity, connection);
  if (typeof e.version !== 'string' || e.version.length === 0 || e.version.length > 100) {
    throw userError('EVENT_VERSION_INVALID', `${e.system} ${e.entity} ${e.id}: the version must be a non-empty string of at most 100 characters`);
  }
  if (scheme && !scheme.pattern.test(e.version)) {
    throw userError('EVENT_VERSION_INVALID', `${e.system} ${e.entity} ${e.id}: version "${e.version.slice(0, 40)}" does not follow ${scheme.describe}`, {
      details: { system: e.system, entity: e.entity, id: e.id, version: e.version.slice(0, 100), scheme: scheme.describe },
    });
  }
}
