// The mapping layer's public API (DESIGN.md "Mapping"): specs are data, compiled once, run per record.
//   const m = await loadMapping('mappings/xcart-sage300/order-to-oe-order.yaml');
//   const r = await m.run(order, { now });           // { output, warnings, errors, rates }
//   if (r.errors.length) throw mappingError(r, m);    // one user error listing every path and reason
import { userError, type SynclineError } from '../core/errors.js';
import type { CompiledMapping, MappingIssue, MappingResult } from './types.js';

export { compileMapping } from './compile.js';
export { compileExpression } from './expression.js';
export type { Expression, ExpressionOptions } from './expression.js';
export { DEFAULT_BUDGET } from './budget.js';
export type { BudgetLimits } from './budget.js';
export { loadMapping, loadMappingText, lookupTableFromText, loadLookupTable, loadTargetSchema, findSpecFiles, clearMappingCaches, MappingRegistry } from './load.js';
export { createLookupTable } from './lookups.js';
export type { LookupTable, LookupTableSpec } from './lookups.js';
export { createRateTable } from './transforms/currency.js';
export type { RateTable } from './transforms/currency.js';
export type { TargetSchema, TargetField } from './validate.js';
export type { CompiledMapping, MappingContext, MappingIssue, MappingResult, MappingSpec, LookupTables, AppliedRate } from './types.js';

export function formatIssue(i: MappingIssue): string {
  return `${i.path}: ${i.message}`;
}

/**
 * One `user` error (MAPPING_INVALID) for a result with validation errors, listing every path and
 * reason so the dead letter shows all of them at once. `details.errors` keeps them structured.
 */
export function mappingError(result: Pick<MappingResult, 'errors' | 'warnings'>, mapping?: Pick<CompiledMapping, 'id' | 'version'>): SynclineError {
  const n = result.errors.length;
  const head = `${mapping ? `mapping ${mapping.id} v${mapping.version}: ` : ''}${n} problem${n === 1 ? '' : 's'}`;
  return userError('MAPPING_INVALID', `${head}: ${result.errors.map(formatIssue).join('; ')}`, {
    details: {
      ...(mapping ? { mapping: mapping.id, version: mapping.version } : {}),
      errors: result.errors,
      warnings: result.warnings,
    },
  });
}
