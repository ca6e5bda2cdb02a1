// Configuration for `syncline start --config FILE` (YAML or JSON), validated once at start with
// errors that say what is missing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { userError } from './core/errors.js';

const connectionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'connection ids are lower-case words joined by dashes'),
  system: z.enum(['xcart', 'sage300', 'amazon', 'sagex3']),
  /** Passed to the connector's own config schema (credentials included; stored sealed). */
  config: z.record(z.string(), z.unknown()),
  /** HMAC secret for POST /webhooks/<id>, for stores that push. */
  webhookSecret: z.string().min(16).optional(),
  /** Override the connector's published/default limits per operation, e.g. { createOrder: { ratePerSec: 50, burst: 100 } }. */
  rateLimits: z.record(z.string(), z.object({ ratePerSec: z.number().positive(), burst: z.number().min(1) })).optional(),
});

const flowSchema = z.object({
  /** A flow from src/flows, e.g. xcart-order-to-sage300. */
  use: z.string(),
  /** Role → connection id, e.g. { shop: xcart-main, erp: sage300-main }. */
  connections: z.record(z.string(), z.string()),
  pollIntervalMs: z.number().int().min(50).default(2_000),
  /** Mapping spec file; default the shipped template. */
  mapping: z.string().optional(),
  /** Mapping options (e.g. webCustomer, location). */
  mappingOptions: z.record(z.string(), z.unknown()).optional(),
});

export const configSchema = z.object({
  dataDir: z.string().default('./data'),
  /** sqlite:PATH (default sqlite:<dataDir>/syncline.db) or postgres://… */
  database: z.string().optional(),
  sqliteSynchronous: z.enum(['normal', 'full']).default('normal'),
  server: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(4100), bodyLimitBytes: z.number().int().positive().default(1_048_576) }).prefault({}),
  worker: z.object({ concurrency: z.number().int().min(1).max(512).default(16), leaseMs: z.number().int().min(1000).default(30_000), pollMs: z.number().int().min(1).default(50) }).prefault({}),
  redactPii: z.boolean().default(true),
  runRetentionDays: z.number().positive().default(30),
  recordPayloads: z.enum(['all', 'errors']).default('all'),
  connections: z.array(connectionSchema).default([]),
  flows: z.array(flowSchema).default([]),
});

export type SynclineConfig = z.infer<typeof configSchema>;
export type SynclineConfigInput = z.input<typeof configSchema>;

export function parseConfig(input: unknown, source = 'configuration'): SynclineConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw userError('CONFIG_INVALID', `${source} is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  const ids = new Set(parsed.data.connections.map((c) => c.id));
  for (const f of parsed.data.flows) {
    for (const [role, id] of Object.entries(f.connections)) {
      if (!ids.has(id)) throw userError('CONFIG_INVALID', `${source}: flow ${f.use} names connection "${id}" for ${role}, but no connection has that id`);
    }
  }
  return parsed.data;
}

export async function loadConfig(file: string): Promise<SynclineConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw userError('CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw userError('CONFIG_INVALID', `${file} does not parse: ${(e as Error).message}`);
  }
  const config = parseConfig(data, file);
  // Relative paths are relative to the config file, not to wherever the command was started.
  const dir = path.dirname(path.resolve(file));
  return { ...config, dataDir: path.resolve(dir, config.dataDir) };
}
