#!/usr/bin/env node
// `npm run chaos -- [--orders N] [--amazon A] [--kills K] [--outage-s S] [--store sqlite|postgres] [--invalid M] [--json]` (test/chaos/run.ts).
import { register } from 'tsx/esm/api';
register();
await import('../test/chaos/run.ts');
