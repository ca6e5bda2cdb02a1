// Journal entry input: an amount that is no decimal is an issue with its path, never a throw out of
// zod's parse (zod runs the decimals refinement and the entry's balance check after a regex issue).
import { describe, expect, it } from 'vitest';
import { journalEntryInput, salesOrderInput, salesOrderPatch } from './schemas.js';

const entry = (a: string, b: string) => ({ TYP: 'AMZ', FCY: 'US01', JOU: 'AMZ', lines: [{ ACC: '4000', SNS: 1, AMTCUR: a }, { ACC: '1200', SNS: -1, AMTCUR: b }] });

describe('X3 journal entry input', () => {
  it('reports an amount that is no decimal by its path', () => {
    const r = journalEntryInput.safeParse(entry('abc', '10.00'));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('lines.0.AMTCUR');
  });

  it('counts decimals as Decimal does (trailing zeros are not decimals) and checks the balance', () => {
    expect(journalEntryInput.safeParse(entry('10.500', '10.5')).success).toBe(true);
    expect(journalEntryInput.safeParse(entry('10.005', '10.005')).error!.issues.map((i) => i.message)).toContain('at most 2 decimals');
    expect(journalEntryInput.safeParse(entry('10.00', '9.99')).success).toBe(false);
  });
});

describe('X3 sales order input: invoicing elements (SOH3_5)', () => {
  const order = { SALFCY: 'US01', BPCORD: 'AMZUS', lines: [{ ITMREF: 'A1', QTY: '1' }] };
  it('keeps INVDTA/INVDTAAMT (they were stripped: X3 never got shipping or promotions)', () => {
    const r = salesOrderInput.safeParse({ ...order, INVDTA: ['1', '2'], INVDTAAMT: ['5.99', '-10.00'] });
    expect(r.data).toMatchObject({ INVDTA: ['1', '2'], INVDTAAMT: ['5.99', '-10.00'] });
  });
  it('wants one decimal amount per element, on save and on modify', () => {
    const issues = (r: { error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) => r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues(salesOrderInput.safeParse({ ...order, INVDTA: ['1', '2'], INVDTAAMT: ['5.99'] }))).toEqual(['INVDTAAMT: INVDTA and INVDTAAMT go together: one amount per invoicing element']);
    expect(issues(salesOrderPatch.safeParse({ INVDTA: ['1'] }))).toEqual(['INVDTAAMT: INVDTA and INVDTAAMT go together: one amount per invoicing element']);
    expect(issues(salesOrderInput.safeParse({ ...order, INVDTA: ['1'], INVDTAAMT: ['5,99'] }))[0]).toMatch(/^INVDTAAMT\.0: a decimal number/);
    expect(issues(salesOrderInput.safeParse({ ...order, INVDTA: ['1234'], INVDTAAMT: ['1'] }))[0]).toMatch(/^INVDTA\.0:/);
  });
});
