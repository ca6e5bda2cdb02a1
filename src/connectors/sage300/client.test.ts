// How Sage 300's answers are read: the error code decides, 409 General is read by its wording, and
// keys, literals and amounts are written the way the Web API expects.
import { describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { classifySage300, keySegment, literal, wireNumber } from './client.js';

const req = { operation: 'op', method: 'POST' as const, path: 'OE/OEOrders' };
const res = (status: number, code: string, value: string, headers: Record<string, string> = {}) => ({ status, headers, body: { error: { code, message: { lang: 'en-US', value } } } });
const classify = (status: number, code: string, value: string, headers?: Record<string, string>) => {
  const e = classifySage300(res(status, code, value, headers), req);
  return e ? [e.code, e.kind] : undefined;
};

describe('classifySage300', () => {
  it('reads the documented codes', () => {
    expect(classify(404, 'RecordNotFound', 'A Record cannot be found')).toEqual(['SAGE300_NOT_FOUND', 'user']);
    expect(classify(409, 'FieldInvalid', 'Item number X does not exist.')).toEqual(['SAGE300_FIELD_INVALID', 'user']);
    expect(classify(409, 'RecordDuplicate', 'Record already exists.')).toEqual(['SAGE300_DUPLICATE', 'user']);
    expect(classify(400, 'InvalidPayload', 'bad')).toEqual(['SAGE300_INVALID_PAYLOAD', 'user']);
    expect(classify(400, 'InvalidParameters', 'bad')).toEqual(['SAGE300_INVALID_QUERY', 'user']);
    expect(classify(400, 'InvalidEntityKey', 'bad')).toEqual(['SAGE300_INVALID_QUERY', 'user']);
    expect(classify(401, 'Unauthorized', 'denied')).toEqual(['SAGE300_AUTH_FAILED', 'user']);
    expect(classify(401, 'SessionError', 'company')).toEqual(['SAGE300_AUTH_FAILED', 'user']);
    expect(classify(500, 'InternalServerError', 'boom')).toEqual(['SAGE300_SERVER_ERROR', 'transient']);
    expect(classify(500, 'DBLinkError', 'db')).toEqual(['SAGE300_SERVER_ERROR', 'transient']);
    // 429 is left to the shared client, which honours Retry-After.
    expect(classify(429, 'TooManyRequests', 'slow down')).toBeUndefined();
  });

  it('reads 409 General by its wording: a lock is transient, a business rule is the user\'s, unknown is retried', () => {
    expect(classify(409, 'General', 'The record is in use by another user. Try again later.')).toEqual(['SAGE300_RECORD_IN_USE', 'transient']);
    expect(classify(409, 'General', 'Batch 12 is locked by ADMIN.')).toEqual(['SAGE300_RECORD_IN_USE', 'transient']);
    expect(classify(409, 'General', 'The address value ShipTo was incomplete. You must provide either a valid postal code, line1 + city + region, or line1 + postal code.')).toEqual(['SAGE300_REJECTED', 'user']);
    expect(classify(409, 'General', 'Customer 1200 is on hold.')).toEqual(['SAGE300_REJECTED', 'user']);
    expect(classify(409, 'General', 'Entry 00001 is out of balance.')).toEqual(['SAGE300_REJECTED', 'user']);
    expect(classify(409, 'General', 'Sequence conflict.')).toEqual(['SAGE300_RECORD_IN_USE', 'transient']);
    const e = classifySage300(res(409, 'General', 'The record is in use by another user.'), req)!;
    expect(e.details).toMatchObject({ recordLevel: true, sageCode: 'General' });
  });

  it('copes with a body that is not Sage\'s', () => {
    expect(classifySage300({ status: 502, headers: { 'retry-after': '3' }, body: '<html>Bad Gateway</html>' }, req)).toMatchObject({ code: 'SAGE300_SERVER_ERROR', retryAfterMs: 3000 });
    expect(classifySage300({ status: 403, headers: {}, body: undefined }, req)?.code).toBe('SAGE300_AUTH_FAILED');
    expect(classifySage300({ status: 418, headers: {}, body: 'teapot' }, req)?.code).toBe('SAGE300_REJECTED');
  });
});

describe('keys, literals and amounts', () => {
  it('quotes strings with doubled quotes and leaves numbers bare', () => {
    expect(literal("O'Neil")).toBe("'O''Neil'");
    expect(literal(10021638)).toBe('10021638');
    expect(keySegment('1200')).toBe("('1200')");
    expect(keySegment({ BatchRecordType: 'CA', BatchNumber: 65 })).toBe("(BatchRecordType='CA',BatchNumber=65)");
  });

  it('sends an amount only when the JSON number is exactly the decimal', () => {
    expect(wireNumber('19.99', 'x', 'op')).toBe(19.99);
    expect(wireNumber('-1000.00', 'x', 'op')).toBe(-1000);
    expect(wireNumber('12345678901.1234', 'x', 'op')).toBe(12345678901.1234);
    expect(() => wireNumber('0.1000000000000000000001', 'x', 'op')).toThrow(SynclineError);
    expect(() => wireNumber('123456789012345678901', 'x', 'op')).toThrow(/exactly/);
    // The fast path (a number, or a string that prints back as itself) and decimal.js agree.
    expect(wireNumber(162.06, 'x', 'op')).toBe(162.06);
    expect(wireNumber('1e2', 'x', 'op')).toBe(100);
    expect(wireNumber('+5', 'x', 'op')).toBe(5);
    for (const bad of ['Infinity', 'NaN', Number.NaN, Number.POSITIVE_INFINITY, '9007199254740993']) expect(() => wireNumber(bad, 'x', 'op')).toThrow(SynclineError);
  });
});
