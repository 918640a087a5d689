import type { Locale } from '../../shared/format.js';

/** The operator page's own messages; one interface, so a missing translation is a type error. */
export interface OperatorMessages {
  readonly organisationPage: (name: string) => string;
}

export const OPERATOR_MESSAGES: Readonly<Record<Locale, OperatorMessages>> = {
  da: { organisationPage: (name) => `Lager, massebalance, processer og forsendelser for ${name}` },
  en: { organisationPage: (name) => `Stock, mass balance, processes and shipments of ${name}` },
};
