// Schedule triggers: croner fires; each firing is one `tick` event into the inbox (version = the
// firing time), so a firing is processed once even if two processes fire it, and shows in runs.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Engine } from '../core/engine.js';
import type { SchedulePlan } from './deploy.js';

export function startSchedules(engine: Engine<any>, plans: SchedulePlan[], logger?: Logger): () => void {
  const stops: Array<() => void> = [];
  for (const p of plans) {
    const fire = (at: Date) => {
      // Whole seconds, zero-padded epoch ms: versions of one schedule sort by time.
      const version = String(Math.floor(at.getTime() / 1000) * 1000).padStart(16, '0');
      void engine
        .intake([{ system: 'syncline', entity: p.entity, id: p.flowId, version, payload: { firedAt: at.toISOString(), flow: p.flowId } }], { connection: p.connection })
        .catch((e: unknown) => logger?.warn({ flow: p.flowId, err: e }, 'schedule could not record its firing; the next one will'));
    };
    if (p.cron) {
      const job = new Cron(p.cron, { protect: true }, () => fire(new Date()));
      stops.push(() => job.stop());
    } else if (p.everyMs) {
      const t = setInterval(() => fire(new Date()), p.everyMs);
      t.unref();
      stops.push(() => clearInterval(t));
    }
  }
  return () => stops.splice(0).forEach((s) => s());
}
