// Block layouts of the published objects, from Sage's own samples where they exist (WSSOH_WS, WSITM,
// WSBPC save payloads in Sage-ERP-X3/soap-tester-client; SIH groups from a real save response) and our
// own where none are public (journal entries, the stock subprogram) — a client discovers them with
// getDescription, exactly as it must against a real site, whose screens differ anyway.
import type { BlockDef, FieldDef } from './grammar.js';

const c = (name: string, len = 20): FieldDef => ({ name, type: 'Char', len });
const d = (name: string): FieldDef => ({ name, type: 'Decimal' });
const i = (name: string): FieldDef => ({ name, type: 'Integer' });
const dt = (name: string): FieldDef => ({ name, type: 'Date' });
const m = (name: string, menu: number): FieldDef => ({ name, type: 'Integer', menu });

export type ObjectCode = 'SOH' | 'ITM' | 'BPC' | 'SIH' | 'GAS';

export interface ObjectLayout {
  code: ObjectCode;
  /** Key fields, in objectKeys order (ADXKEY). */
  keys: FieldDef[];
  blocks: BlockDef[];
  /** Columns of the left list (`query`). */
  leftList: FieldDef[];
  /** Fields the caller may not set (computed or assigned by X3). */
  readOnly: string[];
  /** Declared display-only fields (publications.ts): ignored on input, in header and lines alike. */
  display?: string[];
}

export const layouts: Record<ObjectCode, ObjectLayout> = {
  SOH: {
    code: 'SOH',
    keys: [c('SOHNUM')],
    blocks: [
      { id: 'SOH0_1', kind: 'GRP', fields: [c('SALFCY', 5), c('SOHTYP', 5), c('SOHNUM'), c('CUSORDREF', 30), dt('ORDDAT'), c('BPCORD', 15), c('BPCNAM', 35), c('CUR', 3)] },
      { id: 'SOH1_1', kind: 'GRP', fields: [c('BPCINV', 15), c('BPAADD', 5), c('BPDNAM', 35), c('BPDADDLIG1', 50), c('BPDADDLIG2', 50), c('BPDPOSCOD', 10), c('BPDCTY', 40), c('BPDSAT', 35), c('BPDCRY', 3)] },
      { id: 'SOH1_5', kind: 'GRP', fields: [m('ORDSTA', 415), m('ALLSTA', 416), m('DLVSTA', 417), m('INVSTA', 418)] },
      { id: 'SOH2_1', kind: 'GRP', fields: [c('STOFCY', 5)] },
      { id: 'SOH2_2', kind: 'GRP', fields: [dt('DEMDLVDAT'), dt('SHIDAT')] },
      { id: 'SOH2_3', kind: 'GRP', fields: [c('BPTNUM', 15)] },
      // Invoicing elements (carriage, discount …), slot by slot. 30 slots is the sandbox's assumption:
      // no public source gives the dimension of INVDTA/INVDTAAMT.
      { id: 'SOH3_5', kind: 'GRP', fields: [{ name: 'INVDTA', type: 'Char', len: 3, list: 30 }, { name: 'INVDTAAMT', type: 'Decimal', list: 30 }] },
      {
        // DIM 1002 as Sage's own sample declares it (soap-tester WSSOH_WS_SAVE.XML).
        id: 'SOH4_1', kind: 'TAB', dim: 1002,
        fields: [i('NUMLIG'), i('SOPLIN'), c('ITMREF'), c('ITMDES1', 30), c('DSTOFCY', 5), d('QTY'), c('SAU', 3), d('SAUSTUCOE'), d('GROPRI'), d('DISCRGVAL1'), d('NETPRI'), d('ALLQTY'), d('DLVQTY'), d('INVQTY')],
      },
      { id: 'SOH4_4', kind: 'GRP', fields: [d('ORDINVNOT'), d('ORDINVATI')] },
    ],
    leftList: [c('SOHNUM'), c('SALFCY', 5), c('CUSORDREF', 30), c('BPCORD', 15), c('BPCNAM', 35), dt('ORDDAT'), c('CUR', 3), m('ORDSTA', 415), m('ALLSTA', 416), m('DLVSTA', 417), m('INVSTA', 418), d('ORDINVNOT'), d('ORDINVATI')],
    readOnly: ['BPCNAM', 'ORDSTA', 'ALLSTA', 'DLVSTA', 'INVSTA', 'SOPLIN', 'ITMDES1', 'NETPRI', 'ALLQTY', 'DLVQTY', 'INVQTY', 'ORDINVNOT', 'ORDINVATI'],
  },
  ITM: {
    code: 'ITM',
    keys: [c('ITMREF')],
    blocks: [
      { id: 'ITM0_1', kind: 'GRP', fields: [c('TCLCOD', 5), m('ITMSTA', 246), c('ITMREF'), c('DES1AXX', 30)] },
      { id: 'ITM1_1', kind: 'GRP', fields: [c('DES2AXX', 30), c('DES3AXX', 30)] },
      { id: 'ITM1_2', kind: 'GRP', fields: [c('EANCOD', 20), c('STU', 3), c('SAU', 3), d('ITMWEI')] },
      { id: 'ITM2_1', kind: 'GRP', fields: [d('BASPRI'), d('PURBASPRI')] },
      { id: 'ITM5_1', kind: 'GRP', fields: [c('ACCCOD', 10), { name: 'VACITM', type: 'Char', len: 5, list: 3 }] },
    ],
    leftList: [c('ITMREF'), c('DES1AXX', 30), c('TCLCOD', 5), m('ITMSTA', 246), d('BASPRI')],
    readOnly: [],
  },
  BPC: {
    code: 'BPC',
    keys: [c('BPCNUM', 15)],
    blocks: [
      { id: 'BPC0_1', kind: 'GRP', fields: [c('BCGCOD', 5), m('BPCSTA', 1), c('BPCNUM', 15), c('BPCNAM', 35)] },
      { id: 'BPRC_1', kind: 'GRP', fields: [c('BPRSHO', 10), c('BPRLOG', 10), { name: 'BPRNAM', type: 'Char', len: 35, list: 2 }, c('CRY', 3), c('LAN', 3), c('CUR', 3), c('CRN', 20)] },
      { id: 'BPC3_2', kind: 'GRP', fields: [c('VACBPR', 5), c('PTE', 15), c('ACCCOD', 10)] },
      {
        id: 'BPAC_1', kind: 'TAB', dim: 30,
        fields: [c('CODADR', 5), c('BPADES', 30), c('BPACRY', 3), c('ADDLIG1', 50), c('ADDLIG2', 50), c('ADDLIG3', 50), c('POSCOD', 10), c('CTY', 40), c('SAT', 35), c('TEL1', 20), c('WEB1', 80), m('BPAADDFLG', 1)],
      },
    ],
    leftList: [c('BPCNUM', 15), c('BPCNAM', 35), c('BCGCOD', 5), m('BPCSTA', 1), c('CRY', 3), c('CUR', 3)],
    readOnly: [],
  },
  SIH: {
    code: 'SIH',
    keys: [c('NUM')],
    blocks: [
      { id: 'SIH0_1', kind: 'GRP', fields: [c('SALFCY', 5), c('SIVTYP', 5), c('NUM'), c('INVREF', 30), dt('INVDAT'), c('BPCINV', 15), c('BPINAM', 35), c('CUR', 3)] },
      { id: 'SIH1_5', kind: 'GRP', fields: [c('VACBPR', 5), m('PRITYP', 243)] },
      { id: 'SIH2_2', kind: 'GRP', fields: [c('PTE', 15), c('SIHORINUM', 20)] },
      {
        id: 'SIH4_1', kind: 'TAB', dim: 300,
        fields: [c('ITMREF'), c('ITMDES1', 30), c('SAU', 3), d('QTY'), d('GROPRI'), d('DISCRGVAL1'), d('NETPRI'), c('SOHNUM'), i('SOPLIN')],
      },
      { id: 'SIH4_3', kind: 'GRP', fields: [d('INVNOT'), d('INVATI'), m('STA', 2620)] },
    ],
    leftList: [c('NUM'), c('SIVTYP', 5), c('SALFCY', 5), c('INVREF', 30), dt('INVDAT'), c('BPCINV', 15), c('CUR', 3), d('INVNOT'), d('INVATI')],
    readOnly: ['BPINAM', 'ITMDES1', 'NETPRI', 'INVNOT', 'INVATI', 'STA'],
  },
  GAS: {
    code: 'GAS',
    keys: [c('TYP', 5), c('NUM')],
    blocks: [
      { id: 'HAE0_1', kind: 'GRP', fields: [c('TYP', 5), c('NUM'), c('CPY', 5), c('FCY', 5), c('JOU', 5), dt('ACCDAT'), c('CUR', 3), c('DES', 30), c('REF', 20)] },
      {
        id: 'HAE1_1', kind: 'TAB', dim: 999,
        fields: [i('LIN'), m('LEDTYP', 2645), c('ACC', 15), c('BPR', 15), i('SNS'), d('AMTCUR'), c('DES', 30), c('CCE1', 15)],
      },
      { id: 'HAE2_1', kind: 'GRP', fields: [d('TOTDEB'), d('TOTCDT')] },
    ],
    leftList: [c('TYP', 5), c('NUM'), c('JOU', 5), dt('ACCDAT'), c('CUR', 3), c('REF', 20), c('DES', 30), d('TOTDEB')],
    readOnly: ['TOTDEB', 'TOTCDT'],
  },
};

/** The stock subprogram (after Sage's YSTOCK_LOT sample: I_PAT_* patterns in, O_* rows out). */
export const stockSubprogram: { input: BlockDef[]; output: BlockDef[] } = {
  input: [{ id: 'GRP1', kind: 'GRP', fields: [c('I_PAT_STOFCY', 5), c('I_PAT_ITM'), c('I_PAT_LOT', 15), c('I_PAT_STA', 3)] }],
  output: [
    { id: 'GRP1', kind: 'GRP', fields: [c('I_PAT_STOFCY', 5), c('I_PAT_ITM'), c('I_PAT_LOT', 15), c('I_PAT_STA', 3)] },
    { id: 'GRP2', kind: 'TAB', dim: 500, fields: [c('O_STOFCY', 5), c('O_ITMREF'), c('O_LOT', 15), c('O_LOC', 10), c('O_STA', 3), d('O_QTYSTU'), d('O_CUMALLQTY'), c('O_STU', 3)] },
    { id: 'GRP3', kind: 'GRP', fields: [i('O_NBLIG')] },
  ],
};

/**
 * Sales order closing as a site publishes it (no standard SOAP object closes an order: the SOH
 * publication carries create, modify and delete only; closing is the Close action of the order
 * screen, so a site wraps it in a subprogram — docs/connectors/sagex3.md, "Closing an order").
 */
export const closeSubprogram: { input: BlockDef[]; output: BlockDef[] } = {
  input: [{ id: 'GRP1', kind: 'GRP', fields: [c('I_SOHNUM'), c('I_REASON', 30)] }],
  output: [
    { id: 'GRP1', kind: 'GRP', fields: [c('I_SOHNUM'), c('I_REASON', 30)] },
    { id: 'GRP2', kind: 'GRP', fields: [m('O_ORDSTA', 415), m('O_ALLSTA', 416), m('O_DLVSTA', 417), m('O_INVSTA', 418), i('O_CLOSED')] },
  ],
};

/**
 * A stock movement as a site publishes it: a miscellaneous receipt (I_TRSTYP 1, into status I_STA)
 * or a status change (I_TRSTYP 20, I_STAFROM → I_STA), recorded once per external reference
 * (I_REF; a second call with the same reference returns the first movement's number).
 */
export const movementSubprogram: { input: BlockDef[]; output: BlockDef[] } = {
  input: [{ id: 'GRP1', kind: 'GRP', fields: [i('I_TRSTYP'), c('I_STOFCY', 5), c('I_ITMREF'), d('I_QTY'), c('I_STA', 3), c('I_STAFROM', 3), c('I_LOT', 15), c('I_REF', 40), c('I_TEXT', 50)] }],
  output: [
    { id: 'GRP1', kind: 'GRP', fields: [i('I_TRSTYP'), c('I_STOFCY', 5), c('I_ITMREF'), d('I_QTY'), c('I_STA', 3), c('I_STAFROM', 3), c('I_LOT', 15), c('I_REF', 40), c('I_TEXT', 50)] },
    { id: 'GRP2', kind: 'GRP', fields: [c('O_VCRNUM'), m('O_NEW', 1)] },
  ],
};

/**
 * The stock count subprogram a site publishes to let a warehouse it does not run (Amazon FBA) count
 * its stock: one site, item and status counted at a quantity; X3 posts the difference as a count
 * movement (what a stock count worksheet does), so counting the same quantity twice posts nothing.
 * Sage ships no stock SOAP object (../shared/specs/sage-x3.md, Stock): sites publish subprograms.
 */
export const stockCountSubprogram: { input: BlockDef[]; output: BlockDef[] } = {
  input: [{ id: 'GRP1', kind: 'GRP', fields: [c('I_STOFCY', 5), c('I_ITMREF'), c('I_STA', 3), d('I_QTYSTU')] }],
  output: [
    { id: 'GRP1', kind: 'GRP', fields: [c('I_STOFCY', 5), c('I_ITMREF'), c('I_STA', 3), d('I_QTYSTU')] },
    { id: 'GRP2', kind: 'GRP', fields: [c('O_VCRNUM', 20), d('O_PREQTY'), d('O_DIFQTY')] },
  ],
};

const MENUS: Record<number, Record<string, string>> = {
  1: { '1': 'No', '2': 'Yes' },
  243: { '1': 'Excl. tax', '2': 'Incl. tax' },
  246: { '1': 'Active', '2': 'In development', '3': 'On shortage', '4': 'Not renewed', '5': 'Obsolete', '6': 'Not usable' },
  415: { '1': 'Open', '2': 'Closed' },
  416: { '1': 'Not allocated', '2': 'Partly allocated', '3': 'Allocated' },
  417: { '1': 'Not delivered', '2': 'Partly delivered', '3': 'Delivered' },
  418: { '1': 'Not invoiced', '2': 'Partly invoiced', '3': 'Invoiced' },
  2620: { '1': 'Not posted', '2': 'Partly posted', '3': 'Posted' },
  2645: { '1': 'General', '2': 'Analytical' },
};

export function menuLabel(menu: number, value: string): string | undefined {
  if (value === '' || value === '0') return '';
  return MENUS[menu]?.[value];
}
export function menuValues(menu: number): string[] {
  return Object.keys(MENUS[menu] ?? {});
}
