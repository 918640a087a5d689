/** The EpcisIdentifiers the feature names things by (from LEDGER_EPCIS_ID_BASE and LEDGER_EPCIS_GLNS). */
export const EPCIS_IDENTIFIERS = Symbol('EpcisIdentifiers');
