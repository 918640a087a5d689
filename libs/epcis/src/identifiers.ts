/**
 * The identifiers an exported EPCIS event uses, and how a captured one is read back.
 *
 * The ledger's own things (batches, organisations, sites, processes, events) get stable URIs under
 * one configurable base: a URN (`urn:textile-ledger:` gives `urn:textile-ledger:batch:<uuid>`) or an
 * https base (`https://ledger.example.org/id/` gives `https://ledger.example.org/id/batch/<uuid>`).
 * Where an organisation or site has a GS1 Global Location Number, it is named by its GS1 Digital
 * Link instead (`https://id.gs1.org/417/<GLN>` for a party, `https://id.gs1.org/414/<GLN>` for a
 * location), which trading partners' systems already know.
 */

export type LedgerThing = 'batch' | 'organisation' | 'site' | 'process' | 'event';
const THINGS: readonly LedgerThing[] = ['batch', 'organisation', 'site', 'process', 'event'];

export const DEFAULT_ID_BASE = 'urn:textile-ledger:';
const GS1_RESOLVER = 'https://id.gs1.org';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export interface Gs1Directory {
  /** GLNs (13 digits) of organisations that have one, by organisation id. */
  readonly organisations?: ReadonlyMap<string, string>;
  /** GLNs of sites that have one, by site id. */
  readonly sites?: ReadonlyMap<string, string>;
}

/** A GLN: 13 digits whose last is the GS1 mod-10 check digit. */
export function isGln(value: string): boolean {
  if (!/^\d{13}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 12).reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10 === digits[12];
}

export class EpcisIdentifiers {
  readonly base: string;
  private readonly separator: ':' | '/';
  private readonly glnOfOrganisation: ReadonlyMap<string, string>;
  private readonly glnOfSite: ReadonlyMap<string, string>;
  private readonly organisationOfGln: ReadonlyMap<string, string>;
  private readonly siteOfGln: ReadonlyMap<string, string>;
  private readonly pattern: RegExp;

  constructor(base: string = DEFAULT_ID_BASE, gs1: Gs1Directory = {}) {
    const urn = base.startsWith('urn:');
    if (!urn && !/^https:\/\/[^\s?#]+$/.test(base)) throw new Error(`an EPCIS id base is a urn: or an https: URL, got "${base}"`);
    this.separator = urn ? ':' : '/';
    this.base = base.endsWith(this.separator) ? base : `${base}${this.separator}`;
    this.glnOfOrganisation = gs1.organisations ?? new Map();
    this.glnOfSite = gs1.sites ?? new Map();
    for (const gln of [...this.glnOfOrganisation.values(), ...this.glnOfSite.values()]) if (!isGln(gln)) throw new Error(`not a GLN: ${gln}`);
    this.organisationOfGln = new Map([...this.glnOfOrganisation].map(([id, gln]) => [gln, id]));
    this.siteOfGln = new Map([...this.glnOfSite].map(([id, gln]) => [gln, id]));
    const escaped = this.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.pattern = new RegExp(`^${escaped}(${THINGS.join('|')})${this.separator === '/' ? '/' : ':'}(${UUID})$`);
  }

  /** The ledger's URI of one of its things, without GS1 substitution. */
  ledgerUri(thing: LedgerThing, id: string): string {
    return `${this.base}${thing}${this.separator}${id}`;
  }

  batch(id: string): string {
    return this.ledgerUri('batch', id);
  }
  process(id: string): string {
    return this.ledgerUri('process', id);
  }
  event(id: string): string {
    return this.ledgerUri('event', id);
  }
  organisation(id: string): string {
    const gln = this.glnOfOrganisation.get(id);
    return gln ? `${GS1_RESOLVER}/417/${gln}` : this.ledgerUri('organisation', id);
  }
  site(id: string): string {
    const gln = this.glnOfSite.get(id);
    return gln ? `${GS1_RESOLVER}/414/${gln}` : this.ledgerUri('site', id);
  }
  /** A term of the ledger's own vocabulary (business steps CBV has no word for). */
  vocabulary(term: string): string {
    return `${this.base}voc${this.separator}${term}`;
  }

  /** Which ledger thing a URI names, by the ledger's URI or a GS1 Digital Link it knows; undefined otherwise. */
  parse(uri: string): { thing: LedgerThing; id: string } | undefined {
    const own = this.pattern.exec(uri);
    if (own) return { thing: own[1] as LedgerThing, id: own[2]!.toLowerCase() };
    const gs1 = /^https:\/\/id\.gs1\.org\/(417|414)\/(\d{13})$/.exec(uri);
    if (gs1) {
      const id = gs1[1] === '417' ? this.organisationOfGln.get(gs1[2]!) : this.siteOfGln.get(gs1[2]!);
      if (id) return { thing: gs1[1] === '417' ? 'organisation' : 'site', id };
    }
    return undefined;
  }

  /** The id of the thing a URI names, if it is of the kind asked. */
  idOf(thing: LedgerThing, uri: unknown): string | undefined {
    if (typeof uri !== 'string') return undefined;
    const parsed = this.parse(uri);
    return parsed?.thing === thing ? parsed.id : undefined;
  }
}
