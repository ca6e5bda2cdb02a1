// Event and job payloads are whole business records (an order with the buyer's e-mail, name, phone
// and street), so they are encrypted at rest with the master key (AES-256-GCM, the SecretBox that
// seals connection credentials): a copy of the database file shows no personal data. Decision 0006.
//
// The store carries the codec (main.ts sets it once the master key is loaded); a store opened
// without one writes plain JSON and still reads plain rows written before encryption was on, and
// refuses, with the reason, to read a sealed row it has no key for.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from './db/database.js';
import { userError } from './errors.js';
import { SecretBox } from './secrets.js';

export interface PayloadCodec {
  /** True when payloads are sealed. */
  readonly sealed: boolean;
  encode(value: unknown): string;
  decode(text: string): unknown;
}

/** Sealed text starts with the SecretBox version; JSON text never does (it starts with `{`, `[`, `"`, a digit, t/f/n). */
const isSealed = (text: string) => text.startsWith('v1:');

export const plainCodec: PayloadCodec = {
  sealed: false,
  encode: (value) => JSON.stringify(value),
  decode(text) {
    if (isSealed(text)) {
      throw userError('PAYLOAD_SEALED', 'this payload is encrypted at rest and no master key was found: set SYNCLINE_MASTER_KEY, or run the command where the store\'s master.key is (beside the SQLite file, or via --config)');
    }
    return JSON.parse(text);
  },
};

export function sealedCodec(box: SecretBox): PayloadCodec {
  return {
    sealed: true,
    encode: (value) => box.seal(value ?? null),
    // Rows written before encryption was turned on stay readable.
    decode: (text) => (isSealed(text) ? box.open(text) : JSON.parse(text)),
  };
}

/** The codec of a store (plain JSON when none was set). */
export const payloadCodec = (store: Pick<Store, 'payloadCodec'>): PayloadCodec => store.payloadCodec ?? plainCodec;

/**
 * For commands that open a store themselves (the CLI): the master key from SYNCLINE_MASTER_KEY or an
 * existing key file, never a new one (a new key could read nothing). Undefined when there is none.
 */
export function existingKey(opts: { dataDir?: string; keyFile?: string; env?: NodeJS.ProcessEnv }): SecretBox | undefined {
  const env = opts.env ?? process.env;
  if (env.SYNCLINE_MASTER_KEY) return SecretBox.fromKey(env.SYNCLINE_MASTER_KEY);
  const file = opts.keyFile ?? (opts.dataDir ? path.join(opts.dataDir, 'master.key') : undefined);
  if (!file || !existsSync(file)) return undefined;
  return SecretBox.fromKey(readFileSync(file, 'utf8'));
}

/** Gives a store opened by a command the codec of the existing master key, when there is one. */
export function withPayloadKey<S extends Store>(store: S, opts: { dataDir?: string; keyFile?: string; env?: NodeJS.ProcessEnv }): S {
  const box = existingKey(opts);
  if (box) store.payloadCodec = sealedCodec(box);
  return store;
}
