import type { Locale } from '../format.js';
import { da } from './da.js';
import { en, type Messages } from './en.js';

const LANGUAGE_KEY = 'ledger.language';
const MESSAGES: Record<Locale, Messages> = { da, en };

/** Danish when the browser prefers it (or the reader chose it), English otherwise. */
export function preferredLocale(storage: Storage, languages: readonly string[]): Locale {
  const chosen = storage.getItem(LANGUAGE_KEY);
  if (chosen === 'da' || chosen === 'en') return chosen;
  const first = languages.find((language) => /^(da|en)\b/i.test(language)) ?? 'en';
  return first.toLowerCase().startsWith('da') ? 'da' : 'en';
}

export function rememberLocale(storage: Storage, locale: Locale): void {
  storage.setItem(LANGUAGE_KEY, locale);
}

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}

export type { Messages };
