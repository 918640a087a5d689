import type { Locale } from '../../shared/format.js';

/** The mass-balance accounts section's messages; one interface, so a missing translation is a type error. */
export interface MassBalanceMessages {
  readonly heading: string;
  readonly intro: string;
  readonly none: string;
  readonly forbidden: string;
  readonly period: (periodId: string) => string;
  readonly totals: (credited: string, reversed: string, debited: string, balance: string) => string;
  readonly movement: string;
  readonly grams: string;
  readonly balanceAfter: string;
  readonly about: string;
  readonly date: string;
  readonly process: string;
  readonly claimOn: string;
}

const en: MassBalanceMessages = {
  heading: 'Mass-balance credit accounts',
  intro: 'Recycled grams that entered the organisation’s reprocessing processes are credited to the account of their period; mass-balance claims debit it. An account never goes below zero, and an unused balance does not pass to the next period.',
  none: 'No credits or claims yet.',
  forbidden: 'Only the organisation itself, auditors and the operator may see its credit accounts.',
  period: (periodId) => `Period ${periodId}`,
  totals: (credited, reversed, debited, balance) => `Credited ${credited} · reversed ${reversed} · debited ${debited} · balance ${balance}`,
  movement: 'Movement',
  grams: 'Recycled content',
  balanceAfter: 'Balance after',
  about: 'Concerning',
  date: 'Date',
  process: 'Process',
  claimOn: 'Claim on batch',
};

const da: MassBalanceMessages = {
  heading: 'Massebalancekonti for genanvendt indhold',
  intro: 'Gram genanvendt indhold, der indgik i organisationens oparbejdningsprocesser, krediteres kontoen for deres periode; anprisninger efter massebalance debiterer den. En konto kommer aldrig under nul, og en ubrugt saldo overføres ikke til næste periode.',
  none: 'Endnu ingen krediteringer eller anprisninger.',
  forbidden: 'Kun organisationen selv, revisorer og operatøren må se dens kreditkonti.',
  period: (periodId) => `Periode ${periodId}`,
  totals: (credited, reversed, debited, balance) => `Krediteret ${credited} · tilbageført ${reversed} · debiteret ${debited} · saldo ${balance}`,
  movement: 'Bevægelse',
  grams: 'Genanvendt indhold',
  balanceAfter: 'Saldo efter',
  about: 'Vedrører',
  date: 'Dato',
  process: 'Proces',
  claimOn: 'Anprisning af parti',
};

export const massBalanceMessages: Record<Locale, MassBalanceMessages> = { en, da };
