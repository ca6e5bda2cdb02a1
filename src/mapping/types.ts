// Shapes shared by the mapping engine, its loader, the case runner and the CLI.
import type { LookupTable } from './lookups.js';
import type { RateTable } from './transforms/currency.js';

/** One problem found while mapping: `path` is the target field, `source` the source field when known. */
export interface MappingIssue {
  path: string;
  message: string;
  source?: string;
  suggestions?: string[];
  /** A key missing from a lookup table (never set for a table keyed by personal data): what to add where. */
  lookup?: { table: string; key: string };
}

export type LookupTables = Record<string, LookupTable>;

export interface MappingContext {
  /** Tables that replace (or add to) the ones the spec loaded, by name. */
  lookups?: LookupTables;
  /** Effective-dated exchange rates; default: the spec's `rates` table, if it names one. */
  rates?: RateTable;
  /** "Now" for defaults such as today's date; fixed in tests so outputs are stable. */
  now?: Date;
  /** Overrides for the spec's `options` (e.g. the guest web customer, the default location). */
  options?: Record<string, unknown>;
}

export interface AppliedRate {
  from: string;
  to: string;
  rate: string;
  effective: string;
}

export interface MappingResult {
  output: unknown;
  warnings: MappingIssue[];
  errors: MappingIssue[];
  /** Every exchange rate the mapping applied, so the delivery can record it. */
  rates: AppliedRate[];
}

export interface CompiledMapping {
  id: string;
  version: number;
  description?: string;
  /** How many expressions run as compiled JS and how many fall back to jsonata (shown by `mapping test`). */
  stats: { compiled: number; interpreted: number };
  /** Which expressions run through jsonata, and why (printed by `mapping test --verbose`). */
  fallbacks: Array<{ where: string; expression: string; reason: string }>;
  /** True when every expression compiled, so `runSync` is available. */
  readonly sync: boolean;
  /** The lookup tables it was compiled with (a step that must read the same table, e.g. the settlement step's unmapped check). */
  readonly lookups: LookupTables;
  run(input: unknown, ctx?: MappingContext): Promise<MappingResult>;
  /** Same as run, without a promise; throws MAPPING_NEEDS_ASYNC (a bug) if the spec needs jsonata. */
  runSync(input: unknown, ctx?: MappingContext): MappingResult;
  /** The generator-based walk that `run` uses for specs needing jsonata (tests compare it with runSync). */
  runGeneric(input: unknown, ctx?: MappingContext): Promise<MappingResult>;
}

// ---- the spec as written in YAML/JSON (see mappings/mapping.schema.json) ----

/** A field: an expression string, or an object form. */
export type FieldSpec = string | FieldObject;

export interface FieldObject {
  /** JSONata expression over the current source context. */
  expr?: string;
  /** A literal value. */
  const?: unknown;
  /** Used when the expression yields nothing (undefined, null or ""). */
  default?: unknown;
  /** JSONata condition; when false the field (or line) is left out. */
  when?: string;
  /** A missing value is a validation error. */
  required?: boolean;
  /** Nested object. */
  fields?: Record<string, FieldSpec>;
  /** Array of lines: one per element of this expression's result, each mapped with `fields` (or `expr`). */
  each?: string;
  /** Array assembled from several parts (each part is a line or an `each` block), in order. */
  concat?: FieldObject[];
}

export interface CheckSpec {
  /** JSONata over `{source, output}` (bound as $source and $output); false → validation error. */
  assert: string;
  message: string;
  path?: string;
}

export interface MappingSpec {
  id: string;
  version: number;
  description?: string;
  source?: string;
  /** Target schema name, e.g. `sage300/oe-order` (mappings/targets/sage300/oe-order.yaml). */
  target?: string;
  /** Lookup table names (mappings/lookups/<name>.yaml). */
  lookups?: string[];
  /** Exchange-rate table name (mappings/lookups/<name>.yaml with kind: rates). */
  rates?: string;
  /** Configurable values, bound as $options; overridable per run via ctx.options. */
  options?: Record<string, unknown>;
  /** Named values computed once, in order, before the fields; bound as $name. */
  let?: Record<string, string>;
  fields: Record<string, FieldSpec>;
  checks?: CheckSpec[];
}
