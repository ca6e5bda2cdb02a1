// emit: follow-up events for another flow (e.g. each captured payment of an order), written to the
// inbox in the same transaction as this run's ack and deduplicated like any event.
import type { EmitStep } from '../document.js';
import { plain } from '../expr.js';
import type { StepKind } from './kind.js';

export const emitStep: StepKind<EmitStep> = {
  kind: 'emit',
  retry: 'never',
  compile(step, env) {
    const items = env.expr(step.items, 'items');
    const key = env.expr(step.key, 'key');
    const version = env.expr(step.version, 'version');
    const payload = step.payload ? env.expr(step.payload, 'payload') : undefined;
    return async (scope, ctx) => {
      const list = plain(await items(scope));
      const arr = list === null ? [] : Array.isArray(list) ? list : [list];
      const events = [];
      for (const item of arr) {
        const s = { ...scope, item };
        events.push({
          system: ctx.event.system,
          entity: step.entity,
          id: String(plain(await key(s))),
          version: String(plain(await version(s))),
          payload: payload ? plain(await payload(s)) : item,
        });
      }
      ctx.emit(events);
      return { emitted: events.length, ids: events.slice(0, 50).map((e) => e.id) };
    };
  },
};
