// How events enter the engine. A webhook receiver hands events to the inbox directly; a poller is
// asked for what changed since its durable cursor, and the engine stores the events and the new
// cursor in one transaction, so a crash between the two can neither lose nor repeat a change.

/** A recorded fact from a source system, before it is stored in the inbox. */
export interface IncomingEvent {
  /** Source system, e.g. "xcart". */
  system: string;
  /** Entity kind, e.g. "order". */
  entity: string;
  /** The record's id in the source. */
  id: string;
  /**
   * Version of the record this event carries (updated-at timestamp or sequence). Together with
   * system/entity/id it is the dedupe key; a version older than one already applied is stale.
   * Must sort correctly as a string: zero-padded numbers or ISO-8601 UTC timestamps.
   */
  version: string;
  payload: unknown;
}

export interface PollResult {
  events: IncomingEvent[];
  /** Opaque cursor to pass to the next poll; stored durably with the events. */
  cursor: string | null;
  /** True when the source has more right now (poll again without waiting). */
  more?: boolean;
}

export interface Poller {
  /** Stable id, keys the stored cursor (e.g. "xcart-main:orders"). */
  id: string;
  poll(cursor: string | null): Promise<PollResult>;
}
