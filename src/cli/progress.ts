// Progress bars for long work (bulk replay, the demo, imports), drawn with cli-progress on stderr
// and only on a terminal: piped output and --json never see them.
import { createRequire } from 'node:module';

export interface Progress {
  update(done: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

const none: Progress = { update() {}, setTotal() {}, stop() {} };

/** A bar on stderr when it is a terminal (and not under --json); otherwise a no-op. */
export function progressBar(label: string, total: number, quiet = false): Progress {
  if (quiet || process.stderr.isTTY !== true) return none;
  // Loaded only when a bar is drawn.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% · {duration_formatted}{extra}`, stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { extra: '' });
  return {
    update: (done, payload) => bar.update(done, { extra: payload ? ` · ${Object.entries(payload).map(([k, v]) => `${k} ${v}`).join(' · ')}` : '' }),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
