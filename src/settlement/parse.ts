// The settlement reader lives in the Amazon connector (reading an Amazon document is its job; the
// getSettlementTotals operation serves flows from it). Re-exported here for the settlement module.
export * from '../connectors/amazon/settlement-totals.js';
