// The sandbox clock. `--time-scale 60` makes one real second one sandbox minute, for everything that
// depends on time: token buckets, timestamps in responses, token and URL expiry, feed/report
// processing, MCF progress and the settlement schedule. `advance()` jumps ahead (tests, demo).
export class SandboxClock {
  private readonly realStart = Date.now();
  private offsetMs = 0;

  constructor(readonly scale = 1) {
    if (!(scale > 0)) throw new RangeError(`time scale must be > 0, got ${scale}`);
  }

  /** Sandbox epoch milliseconds. */
  now(): number {
    return this.realStart + (Date.now() - this.realStart) * this.scale + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Real milliseconds that `sandboxMs` of sandbox time takes. */
  toReal(sandboxMs: number): number {
    return sandboxMs / this.scale;
  }
}

/** `2017-01-20T19:49:35Z`: Orders v0 and Finances print whole seconds. */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
/** `2020-09-04T20:35:04.284Z`: Feeds, Reports, MCF and notifications print milliseconds. */
export const isoMillis = (ms: number) => new Date(ms).toISOString();
