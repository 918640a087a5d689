/** Injection tokens for the ports the app wires to adapters. */
export const EVENT_STORE = Symbol('EventStore');
export const READ_DB = Symbol('ReadDb');
export const LEDGER_CONFIG = Symbol('LedgerConfig');
export const CLOCK = Symbol('Clock');

export interface Clock {
  now(): Date;
}
