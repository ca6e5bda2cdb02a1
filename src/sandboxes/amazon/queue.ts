// An SQS-like queue speaking the SQS JSON protocol (X-Amz-Target: AmazonSQS.*), which is what an
// SP-API notification destination is. At-least-once like SQS: a received message is hidden for its
// visibility timeout and comes back (ApproximateReceiveCount + 1) unless it is deleted in time.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SandboxClock } from './clock.js';

export interface QueueMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  /** Sandbox time before which the message is invisible. */
  visibleAt: number;
  receiptHandle?: string;
}

export class SqsQueue {
  readonly messages: QueueMessage[] = [];
  private waiters: Array<() => void> = [];
  /** Messages deleted, for tests that check nothing was left behind. */
  deleted = 0;

  constructor(
    readonly name: string,
    private readonly clock: SandboxClock,
    readonly defaultVisibilityS = 30,
  ) {}

  send(body: string, opts: { front?: boolean } = {}): string {
    const m: QueueMessage = { messageId: randomUUID(), body, sentAt: this.clock.now(), receiveCount: 0, visibleAt: 0 };
    // Out-of-order delivery (a fault): SQS standard queues do not keep order.
    if (opts.front) this.messages.unshift(m);
    else this.messages.push(m);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
    return m.messageId;
  }

  private takeVisible(max: number, visibilityS: number): QueueMessage[] {
    const now = this.clock.now();
    const out: QueueMessage[] = [];
    for (const m of this.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiveCount++;
      m.visibleAt = now + visibilityS * 1000;
      // A new handle on every receive: a consumer whose visibility expired cannot delete with its stale one.
      m.receiptHandle = randomBytes(24).toString('base64');
      out.push(m);
    }
    return out;
  }

  /** Long poll: waits up to `waitS` (sandbox seconds) for at least one visible message. */
  async receive(max: number, waitS: number, visibilityS = this.defaultVisibilityS): Promise<QueueMessage[]> {
    const deadline = Date.now() + this.clock.toReal(waitS * 1000);
    for (;;) {
      const got = this.takeVisible(max, visibilityS);
      if (got.length || Date.now() >= deadline) return got;
      // Wake on a new message, or re-check when the earliest hidden message becomes visible again.
      const now = this.clock.now();
      const nextVisible = Math.min(...this.messages.map((m) => m.visibleAt).filter((v) => v > now), Infinity);
      const realWait = Math.max(5, Math.min(deadline - Date.now(), Number.isFinite(nextVisible) ? this.clock.toReal(nextVisible - now) + 1 : Infinity));
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, realWait);
        const self = this;
        function done() {
          clearTimeout(t);
          self.waiters = self.waiters.filter((w) => w !== done);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  delete(receiptHandle: string): boolean {
    const i = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (i < 0) return false;
    this.messages.splice(i, 1);
    this.deleted++;
    return true;
  }

  changeVisibility(receiptHandle: string, visibilityS: number): boolean {
    const m = this.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m) return false;
    m.visibleAt = this.clock.now() + visibilityS * 1000;
    return true;
  }
}

export const md5 = (s: string) => createHash('md5').update(s).digest('hex');
