import type { Locale } from '../../shared/format.js';

/** The header's "signed in as" (decision 034); one interface, so a missing translation is a type error. */
export interface SignedInAsMessages {
  readonly signedInAs: (organisation: string) => string;
}

export const SIGNED_IN_AS_MESSAGES: Readonly<Record<Locale, SignedInAsMessages>> = {
  da: { signedInAs: (organisation) => `Logget ind som ${organisation}` },
  en: { signedInAs: (organisation) => `Signed in as ${organisation}` },
};
