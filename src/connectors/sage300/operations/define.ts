// Every Sage 300 operation is declared through here: input is checked before any call (a clear
// SAGE300_INVALID_INPUT user error, never a crash), and callers may pass the schema's input form.
import type { z } from 'zod';
import { operationDefiner, type DefinedOperation } from '../../types.js';
import { SynclineError, userError } from '../../../core/errors.js';
import { invalidInput, unexpectedAnswer, type Sage300Client } from '../client.js';

/** Sage's Web API documentation: Developer Reference and Endpoint Reference (Aug 2022). */
export const WEBAPI_DOCS = 'https://github.com/SageNADev/Sage300-SDK/tree/master/docs/webapi';
export const SAMPLES = 'https://github.com/SageNADev/Sage300-SDK/tree/master/samples/WebApi_SamplePostPayloads';

export type Sage300Operation<IS extends z.ZodType, OS extends z.ZodType> = DefinedOperation<IS, OS, Sage300Client>;

export const sage300Operation = operationDefiner<Sage300Client>(invalidInput, unexpectedAnswer);

/**
 * Refuses, before anything is sent, a change to an existing OE order on a server whose OEOrders takes
 * GET and POST only (Endpoint Reference, Aug 2022). The flow reports it as needing attention; it is
 * never recorded as applied.
 */
export async function requireOrderPatch(client: Sage300Client, operation: string, what: string, details: Record<string, unknown>): Promise<void> {
  if (await client.supports('oeOrderPatch')) return;
  throw notSupported(operation, what, details);
}

export function notSupported(operation: string, what: string, details: Record<string, unknown>) {
  return userError('SAGE300_NOT_SUPPORTED', `${operation}: this Sage 300 Web API cannot ${what}: its OE/OEOrders takes GET and POST only (Sage 300 Endpoint Reference, Aug 2022). Do it in Sage 300 Order Entry, or ship and invoice when the order is created.`, {
    details: { operation, capability: 'oeOrderPatch', ...details },
  });
}

/** A PATCH the server refused with 405 after all: remember it, and say it as the up-front check does. */
export function patchRefused(client: Sage300Client, e: unknown, operation: string, what: string, details: Record<string, unknown>): unknown {
  if (e instanceof SynclineError && e.code === 'SAGE300_NOT_SUPPORTED') {
    client.capabilities.oeOrderPatch = false;
    return notSupported(operation, what, { ...details, sage: e.details });
  }
  return e;
}
