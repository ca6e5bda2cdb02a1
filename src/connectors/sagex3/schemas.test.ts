import { describe, expect, it } from 'vitest';
import { salesOrderLineInput } from './schemas.js';

describe('X3 input schemas', () => {
  it('a line quantity is a decimal above 0; a value that is no decimal is an issue, not a throw', () => {
    const issues = (QTY: string) => {
      const r = salesOrderLineInput.safeParse({ ITMREF: 'B2-1180-RED', QTY });
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    for (const ok of ['1', '1.5', '0.001', '10']) expect(issues(ok)).toEqual([]);
    for (const zero of ['0', '-1', '0.000', '00', '-0']) expect(issues(zero)).toEqual(['must be greater than 0']);
    expect(issues('1e5')).toEqual(['a decimal number as a string, e.g. "12.50"']);
    expect(issues('abc')).toEqual(['a decimal number as a string, e.g. "12.50"', 'must be greater than 0']);
  });
});
