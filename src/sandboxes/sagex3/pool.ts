// A classic web-service pool: a fixed number of channels (X3 processes); a call waits for a free
// channel, and a call that waited longer than the queue timeout is rejected, as X3's pool does.
// With zero channels every call fails, like a host whose "web services child processes" is 0.
export interface PoolConfig {
  /** Channels (child processes × pool size in X3). Sage recommends 3 to 5 for most integrations. */
  channels: number;
  /** How long a call may wait for a channel before it is rejected. */
  queueTimeoutMs: number;
  /** Simulated X3 processing time per call, holding the channel (0 = as fast as we can). */
  execMs: number;
}

export class PoolBusyError extends Error {}
export class NoChannelsError extends Error {}

export class Pool {
  private active = 0;
  private readonly waiting: Array<{ resolve: (idx: number) => void; timer: NodeJS.Timeout }> = [];
  /** Calls rejected after waiting for a channel, for tests and the admin route. */
  rejected = 0;
  served = 0;
  maxActive = 0;

  constructor(readonly alias: string, public config: PoolConfig) {}

  get busy(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the channel index once one is free. */
  acquire(): Promise<number> {
    if (this.config.channels <= 0) return Promise.reject(new NoChannelsError('No Web services accepted'));
    if (this.active < this.config.channels) {
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      return Promise.resolve(this.active - 1);
    }
    return new Promise((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          this.rejected++;
          reject(new PoolBusyError(`Pool ${this.alias}: no channel free after ${this.config.queueTimeoutMs} ms in the queue (${this.config.channels} channels busy)`));
        }, this.config.queueTimeoutMs),
      };
      this.waiting.push(entry);
    });
  }

  release(): void {
    this.served++;
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(this.active - 1);
    } else this.active--;
  }

  stats() {
    return { alias: this.alias, ...this.config, busy: this.active, queued: this.waiting.length, served: this.served, rejected: this.rejected, maxActive: this.maxActive };
  }
}
