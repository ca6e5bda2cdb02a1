import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { defineFlow } from '../core/flow.js';
import { IntakeBatcher } from './intake-batcher.js';

let dir: string;
let store: Store;
let engine: Engine<unknown>;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-batcher-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  const flow = defineFlow({ id: 'f', description: 'd', source: { system: 's', entity: 'e' }, target: { system: 't', entity: 'e' }, steps: [{ name: 'n', run: (x: unknown) => x }] });
  engine = new Engine({ store, flows: [flow], deps: {} });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ev = (id: string) => [{ system: 's', entity: 'e', id, version: '1', payload: {} }];

it('requests arriving together share transactions, each answered with its own counts', async () => {
  const batcher = new IntakeBatcher(engine, 8);
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => batcher.intake(ev(`a${i % 20}`), 'c')));
  expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(20);
  expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(10);
  expect(results.slice(20).every((r) => r.duplicates === 1)).toBe(true);
  expect(await store.db.selectFrom('events').select('id').execute()).toHaveLength(20);
});

it('sheds load with a transient 503 error when too many requests wait', async () => {
  const batcher = new IntakeBatcher(engine, 4, 10);
  const outcomes = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => batcher.intake(ev(`b${i}`), 'c')));
  const refused = outcomes.filter((o) => o.status === 'rejected');
  expect(refused.length).toBe(15);
  expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'WEBHOOK_INTAKE_UNAVAILABLE', kind: 'transient', retryAfterMs: 1000 });
  const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
  expect(await store.db.selectFrom('events').select('id').execute()).toHaveLength(accepted);
});
