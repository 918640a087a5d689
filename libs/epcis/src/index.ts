export * from './identifiers.js';
export * from './ledger-context.js';
export * from './to-epcis.js';
export * from './from-epcis.js';
export * from './epcis-validator.js';
