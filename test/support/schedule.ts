// Firing a scheduled flow by hand in a test, as src/flows/schedule.ts records a firing: one `tick`
// event whose version is its time. The version is whole seconds ahead of now, so the schedule's own
// firings (every minute, versions floored to the second) sort before it and cannot take its place.
import type { Runtime } from '../../src/main.js';
import type { RunView } from '../../src/core/runs.js';
import { until } from './wait.js';

let firings = 0;

/** Records one firing of `flow`'s schedule; resolves with the stored event's id. */
export async function fireSchedule(runtime: Runtime, flow: string): Promise<number> {
  const at = new Date(Date.now() + ++firings * 1000);
  const version = String(at.getTime()).padStart(16, '0');
  await runtime.engine.intake([{ system: 'syncline', entity: 'tick', id: flow, version, payload: { firedAt: at.toISOString(), flow } }], { connection: `schedule:${flow}` });
  const event = await runtime.store.db.selectFrom('events').select('id').where('entity', '=', 'tick').where('record_id', '=', flow).where('version', '=', version).executeTakeFirstOrThrow();
  return event.id;
}

/**
 * Fires `flow` and resolves with the run of that firing, found by its event: the newest run of the
 * flow may be a firing of the schedule's own, skipped as stale (CI of 7 Dec read that one).
 */
export async function fireAndRun(runtime: Runtime, flow: string, timeoutMs = 90_000): Promise<RunView> {
  const eventId = await fireSchedule(runtime, flow);
  const run = await until(`the run of ${flow}'s firing`, async () => (await runtime.engine.runs.list({ flow, eventId, limit: 1 }))[0], (r) => r !== undefined, timeoutMs, 100);
  return run!;
}
