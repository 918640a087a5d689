/**
 * The catalogue forms' number fields, read without floats: tonnes as the reader writes them
 * ("1,5", "1.250,75" in Danish; "1.5", "1,250.75" in English) become exact integer grams, and
 * percentages ("80", "62,5") exact basis points. Anything else is refused (undefined), never guessed.
 */
export function tonnesToGrams(text: string, locale: 'da' | 'en'): number | undefined {
  const decimal = locale === 'da' ? ',' : '.';
  const group = locale === 'da' ? '.' : ',';
  const trimmed = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  const match = new RegExp(`^(\\d{1,3}(?:\\${group}\\d{3})+|\\d+)(?:\\${decimal}(\\d{1,6}))?$`).exec(trimmed);
  if (!match) return undefined;
  const whole = (match[1] ?? '').split(group).join('');
  const fraction = (match[2] ?? '').padEnd(6, '0');
  const grams = Number(BigInt(whole) * 1_000_000n + BigInt(fraction));
  return Number.isSafeInteger(grams) ? grams : undefined;
}

/**
 * Exact integer grams as tonnes a reader can edit and `tonnesToGrams` reads back to the same grams
 * (a form's default): "1,99" in Danish, "1.99" in English, no grouping, no trailing zeros. Written
 * from the integer's digits, since dividing by a million in floating point may not come back exact.
 */
export function gramsToTonnesText(grams: number, locale: 'da' | 'en'): string {
  const exact = BigInt(grams);
  const whole = exact / 1_000_000n;
  const fraction = String(exact % 1_000_000n).padStart(6, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}${locale === 'da' ? ',' : '.'}${fraction}`;
}

/** A percentage with at most two decimals ("62,5" or "62.5") as basis points (6250); 0–100 only. */
export function percentToBasisPoints(text: string): number | undefined {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= 10_000 ? basisPoints : undefined;
}

/** The day after a `YYYY-MM-DD` calendar day: "available until the 30th" ends as the 1st begins. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Splits a server-sent events stream into its events as the text arrives (the WHATWG format, the
 * parts the catalogue feed uses: `event:` and `data:` lines, a blank line ending each event,
 * comments ignored). Returns the complete events and the unfinished rest to prepend to the next chunk.
 */
export function parseEventStream(buffered: string): { events: { event: string; data: string }[]; rest: string } {
  const normalised = buffered.replace(/\r\n?/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: { event: string; data: string }[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}
