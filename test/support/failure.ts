import { expect } from 'vitest';
import { SynclineError } from '../../src/core/errors.js';

/** The classified error a call ends in; fails the test when the call succeeds or throws anything else. */
export async function failure(p: Promise<unknown>): Promise<SynclineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SynclineError);
    return e as SynclineError;
  }
  throw new Error('expected the call to fail with a SynclineError');
}
