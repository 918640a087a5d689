import type { Locale } from '../../shared/format.js';

/** The sign-in's own messages (decision 035); one interface, so a missing translation is a type error. */
export interface SignInMessages {
  /** The heading once a provider is offered beside the key. */
  readonly signInTitle: string;
  readonly signInWith: (provider: string) => string;
  readonly signInWithHelp: string;
  readonly orWithApiKey: string;
  readonly signingIn: string;
  readonly expired: string;
  readonly notStarted: string;
  readonly tooLate: string;
  readonly stateMismatch: string;
  readonly providerRefused: (detail: string) => string;
  readonly exchangeFailed: (detail: string) => string;
  readonly ledgerRefused: (detail: string) => string;
}

const en: SignInMessages = {
  signInTitle: 'Sign in',
  signInWith: (provider) => `Sign in with ${provider}`,
  signInWithHelp: 'You are sent to your organisation’s sign-in and back here. The token is kept in this browser tab only.',
  orWithApiKey: 'Or with an API key',
  signingIn: 'Signing in…',
  expired: 'Your sign-in has expired. Please sign in again.',
  notStarted: 'This sign-in was not started in this browser tab. Please sign in again.',
  tooLate: 'The sign-in took too long. Please sign in again.',
  stateMismatch: 'The answer from the sign-in did not belong to this browser tab and was refused. Please sign in again.',
  providerRefused: (detail) => `The sign-in was refused: ${detail}`,
  exchangeFailed: (detail) => `The sign-in could not be completed: ${detail}`,
  ledgerRefused: (detail) => `The ledger did not accept the sign-in: ${detail}`,
};

const da: SignInMessages = {
  signInTitle: 'Log ind',
  signInWith: (provider) => `Log ind med ${provider}`,
  signInWithHelp: 'Du sendes til din organisations log ind og tilbage hertil. Tokenet gemmes kun i denne browserfane.',
  orWithApiKey: 'Eller med en API-nøgle',
  signingIn: 'Logger ind…',
  expired: 'Dit log ind er udløbet. Log ind igen.',
  notStarted: 'Dette log ind blev ikke startet i denne browserfane. Log ind igen.',
  tooLate: 'Log ind tog for lang tid. Log ind igen.',
  stateMismatch: 'Svaret fra log ind hørte ikke til denne browserfane og blev afvist. Log ind igen.',
  providerRefused: (detail) => `Log ind blev afvist: ${detail}`,
  exchangeFailed: (detail) => `Log ind kunne ikke gennemføres: ${detail}`,
  ledgerRefused: (detail) => `Regnskabet godtog ikke log ind: ${detail}`,
};

const MESSAGES: Record<Locale, SignInMessages> = { da, en };

export function signInMessages(locale: Locale): SignInMessages {
  return MESSAGES[locale];
}
