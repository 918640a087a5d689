import { InvalidCommandError } from '../errors.js';
import { FIBRES } from '../reference/reference.js';

/**
 * The bounds every command must stay within (decision 020). They are real limits of the material
 * flows the ledger records, chosen so that every mass the ledger derives stays an exact integer:
 * see the decision for the arithmetic. Projections and property tests import these constants, so a
 * bound is stated once.
 */

/**
 * The earliest business time the ledger accepts. Nothing in the ledger's scope predates it: the EU
 * waste catalogue codes it uses date from 2000 (Decision 2000/532/EC), and Danish separate textile
 * collection began decades later, so a backfill of real records never reaches back this far. It also
 * keeps every instant a four-digit year in every time zone, which month and year keys rely on.
 */
export const EARLIEST_OCCURRED_AT = '2000-01-01T00:00:00Z';
export const EARLIEST_OCCURRED_AT_MS = Date.parse(EARLIEST_OCCURRED_AT);

/**
 * The most one batch may weigh: 1,000 t = 10^9 g, some forty full lorries or a ship's hold of baled
 * textiles. A larger consignment is recorded as several batches.
 */
export const MAX_BATCH_MASS_GRAMS = 1_000_000_000;

/**
 * The most entries each list of a process may hold (inputs, external inputs, outputs, losses). A
 * sorting line grades into a few dozen fractions; a thousand leaves room for lot-level blending.
 */
export const MAX_PROCESS_ITEMS = 1_000;

/**
 * The most material one process may take in (tracked plus external inputs; by the mass balance also
 * what it puts out): 100,000 t = 10^11 g, about a year's throughput of Europe's largest textile
 * sorting plants. Bigger runs are recorded as several processes.
 */
export const MAX_PROCESS_MASS_GRAMS = 100_000_000_000;

/**
 * The most entries every other list in a command or request body may hold (decision 027). Each is a
 * shape rule of its schema, refused as a 400 `invalid-body` naming the list and the maximum; the
 * OpenAPI document states each as `maxItems`, and the e2e suite requires a `maxItems` on every array
 * of every request body, so a list added later cannot be left unbounded.
 */
/** Programme tags on a batch: a handful of collection schemes and projects; 20 leaves room. */
export const MAX_PROGRAMME_TAGS = 20;
/** Sites of one organisation: sorting halls, depots, bring banks are recorded as the kommune's. */
export const MAX_SITES = 100;
/** Collections in one bulk request: a weighbridge's day or a municipal import, in pages of 1,000. */
export const MAX_BULK_COLLECTIONS = 1_000;
/** Roles of one organisation: each role once at most (there are eight). */
export const MAX_ROLES = 8;
/**
 * Fibres in one composition: each fibre of the reference list at most once. The count is checked
 * before the shares are summed and the fibres compared, so a long list costs nothing more.
 */
export const MAX_COMPOSITION_ENTRIES = FIBRES.length;

/** Longest free text: reasons, descriptions. */
export const MAX_TEXT_LENGTH = 1_000;
/** Longest short label: names, product types, transport documents. */
export const MAX_LABEL_LENGTH = 200;

/**
 * Characters free text must not carry: C0 and C1 control characters (line breaks included: every
 * free-text field is a single-line label in tables, CSV exports and logs, where a line break forges
 * rows), DEL, and the bidirectional embeddings, overrides and isolates that make text display in
 * another order than it is stored; and lone surrogates (`\p{Cs}` in a `u` regex), which are not
 * text at all and which PostgreSQL refuses to store.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const FORBIDDEN_TEXT_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\p{Cs}]/u;

/** Whether `text` is plain, displayable text: no forbidden character. */
export function isPlainText(text: string): boolean {
  return !FORBIDDEN_TEXT_CHARACTERS.test(text);
}

/** Refuses a mass above `maximumGrams` (the schemas have already made it a positive safe integer). */
export function assertMassAtMost(field: string, massGrams: number, maximumGrams: number = MAX_BATCH_MASS_GRAMS): void {
  if (massGrams > maximumGrams) {
    throw new InvalidCommandError('mass-above-maximum', `${field} is ${massGrams} g, more than the ${maximumGrams} g the ledger accepts (decision 020)`, {
      field,
      massGrams,
      maximumGrams,
    });
  }
}

/** Refuses a list with more than `maximum` entries. */
export function assertItemCount(field: string, items: readonly unknown[], maximum: number = MAX_PROCESS_ITEMS): void {
  if (items.length > maximum) {
    throw new InvalidCommandError('too-many-items', `${field} lists ${items.length} entries, more than the ${maximum} the ledger accepts (decision 020)`, {
      field,
      count: items.length,
      maximum,
    });
  }
}

/**
 * Refuses a command if any string in it, at any depth, is not plain text. Every string is checked,
 * not a list of free-text fields, so a field added later cannot be forgotten; identifiers, codes and
 * instants never contain these characters, so checking them too costs nothing.
 */
export function assertPlainText(command: unknown): void {
  const offending = findNonPlainText(command, '');
  if (offending !== undefined) {
    throw new InvalidCommandError(
      'text-not-plain',
      `${offending.field} contains a control character, a bidirectional override or a lone surrogate (${offending.codePoint}), which the ledger does not store`,
      { field: offending.field, codePoint: offending.codePoint },
    );
  }
}

function findNonPlainText(value: unknown, path: string): { field: string; codePoint: string } | undefined {
  if (typeof value === 'string') {
    const match = FORBIDDEN_TEXT_CHARACTERS.exec(value);
    if (!match) return undefined;
    const codePoint = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return { field: path || '(command)', codePoint };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNonPlainText(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonPlainText(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
