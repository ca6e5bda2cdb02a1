// Default publication layouts: which group carries which field, per object. Taken from Sage's published
// sample payloads (WSSOH_WS, WSITM, WSBPC in Sage-ERP-X3/soap-tester-client) and a real SIH response;
// no public source shows journal-entry groups, so ours are a guess to be replaced by the site's own via
// `discoverLayout` (getDescription). A site's custom fields (Y*/Z*) only appear through discovery or
// the connection's `layouts` override.
import type { Layout } from './payload.js';

export type X3Object = 'SOH' | 'ITM' | 'BPC' | 'SIH' | 'GAS';

const grp = (g: Record<string, string[]>): Record<string, string> => Object.fromEntries(Object.entries(g).flatMap(([id, fs]) => fs.map((f) => [f, id])));

/** The table that carries an object's lines, and the key the typed objects use for them. */
export const LINE_TABLES: Record<X3Object, { table: string; as: string } | undefined> = {
  SOH: { table: 'SOH4_1', as: 'lines' },
  ITM: undefined,
  BPC: { table: 'BPAC_1', as: 'addresses' },
  SIH: { table: 'SIH4_1', as: 'lines' },
  GAS: { table: 'HAE1_1', as: 'lines' },
};

export const DEFAULT_LAYOUTS: Record<X3Object, Layout> = {
  SOH: {
    keys: ['SOHNUM'],
    groups: grp({
      SOH0_1: ['SALFCY', 'SOHTYP', 'SOHNUM', 'CUSORDREF', 'ORDDAT', 'BPCORD', 'BPCNAM', 'CUR'],
      SOH1_1: ['BPCINV', 'BPAADD', 'BPDNAM', 'BPDADDLIG1', 'BPDADDLIG2', 'BPDPOSCOD', 'BPDCTY', 'BPDSAT', 'BPDCRY'],
      SOH1_5: ['ORDSTA', 'ALLSTA', 'DLVSTA', 'INVSTA'],
      SOH2_1: ['STOFCY'],
      SOH2_2: ['DEMDLVDAT', 'SHIDAT'],
      SOH2_3: ['BPTNUM'],
      SOH3_5: ['INVDTA', 'INVDTAAMT'],
      SOH4_4: ['ORDINVNOT', 'ORDINVATI'],
    }),
    tables: { SOH4_1: [] },
  },
  ITM: {
    keys: ['ITMREF'],
    groups: grp({
      ITM0_1: ['TCLCOD', 'ITMSTA', 'ITMREF', 'DES1AXX'],
      ITM1_1: ['DES2AXX', 'DES3AXX'],
      ITM1_2: ['EANCOD', 'STU', 'SAU', 'ITMWEI'],
      ITM2_1: ['BASPRI', 'PURBASPRI'],
      ITM5_1: ['ACCCOD', 'VACITM'],
    }),
    tables: {},
  },
  BPC: {
    keys: ['BPCNUM'],
    groups: grp({
      BPC0_1: ['BCGCOD', 'BPCSTA', 'BPCNUM', 'BPCNAM'],
      BPRC_1: ['BPRSHO', 'BPRLOG', 'BPRNAM', 'CRY', 'LAN', 'CUR', 'CRN'],
      BPC3_2: ['VACBPR', 'PTE', 'ACCCOD'],
    }),
    tables: { BPAC_1: [] },
  },
  SIH: {
    keys: ['NUM'],
    groups: grp({
      SIH0_1: ['SALFCY', 'SIVTYP', 'NUM', 'INVREF', 'INVDAT', 'BPCINV', 'BPINAM', 'CUR'],
      SIH1_5: ['VACBPR', 'PRITYP'],
      SIH2_2: ['PTE', 'SIHORINUM'],
      SIH4_3: ['INVNOT', 'INVATI', 'STA'],
    }),
    tables: { SIH4_1: [] },
  },
  GAS: {
    keys: ['TYP', 'NUM'],
    groups: grp({
      HAE0_1: ['TYP', 'NUM', 'CPY', 'FCY', 'JOU', 'ACCDAT', 'CUR', 'DES', 'REF'],
      HAE2_1: ['TOTDEB', 'TOTCDT'],
    }),
    tables: { HAE1_1: [] },
  },
};
