// What the fuzz tests share: the rule for a refusal, and a mutator that keeps a real value's shape.
import fc from 'fast-check';
import { expect } from 'vitest';
import { SynclineError } from '../../src/core/errors.js';

/** A refusal must be a SynclineError with a code and a message; anything else is a crash. */
export function classified(e: unknown): void {
  if (!(e instanceof SynclineError)) throw new Error(`not a classified refusal: ${(e as Error)?.stack ?? String(e)}`);
  expect(e.code).toMatch(/^[A-Z0-9_]+$/);
  expect(e.message.length).toBeGreaterThan(0);
}

/** Replaces random leaves of a JSON value with random JSON, or drops keys (the shape stays recognisable). */
export const mutate = (base: unknown) =>
  fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined)), { minLength: 1, maxLength: 5 })).map(([picks, values]) => {
    const copy = structuredClone(base) as unknown;
    const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach((x, i) => (slots.push([v, i]), x !== null && typeof x === 'object' && walk(x)));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (slots.push([v as Record<string, unknown>, k]), x !== null && typeof x === 'object' && walk(x));
    };
    walk(copy);
    picks.forEach((p, i) => {
      if (!slots.length) return;
      const [holder, key] = slots[p % slots.length]!;
      const value = values[i % values.length];
      if (value === undefined && !Array.isArray(holder)) delete (holder as Record<string, unknown>)[key as string];
      else (holder as Record<string | number, unknown>)[key] = value;
    });
    return copy;
  });
