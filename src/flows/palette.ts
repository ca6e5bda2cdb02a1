// What the console's flow designer assembles a new flow from, all of it already registered: the flow
// schema (its forms are generated from it), the step kinds, each system's connector operations and
// pollers, and the shipped mapping ids. Nothing here is code a user writes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connectorOperations, connectorTriggers } from '../connectors/index.js';
import { findSpecFiles } from '../mapping/index.js';
import { FLOWS_DIR, MAPPINGS_DIR } from './document.js';
import { stepKinds } from './steps/index.js';

export interface FlowPalette {
  schema: unknown;
  stepKinds: string[];
  operations: Record<string, string[]>;
  pollers: Record<string, string[]>;
  mappings: string[];
}

export async function flowPalette(): Promise<FlowPalette> {
  const keys = (r: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(r).map(([system, ops]) => [system, Object.keys(ops).sort()]));
  return {
    schema: JSON.parse(readFileSync(path.join(FLOWS_DIR, 'flow.schema.json'), 'utf8')),
    stepKinds: Object.keys(stepKinds),
    operations: keys(connectorOperations),
    pollers: keys(connectorTriggers),
    mappings: (await findSpecFiles(MAPPINGS_DIR)).map((f) => path.relative(MAPPINGS_DIR, f).replace(/\.ya?ml$/, '').split(path.sep).join('/')),
  };
}
