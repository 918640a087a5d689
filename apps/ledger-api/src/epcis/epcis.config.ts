import { EpcisIdentifiers, isGln } from '#epcis';

/** How exported EPCIS events name the ledger's things (decision 047). */
export interface EpcisConfig {
  /** LEDGER_EPCIS_ID_BASE: `urn:textile-ledger:` (default) or an https base the ledger answers for. */
  readonly idBase: string;
  /** LEDGER_EPCIS_GLNS: `<organisation or site id>=<GLN>` pairs, comma-separated, for parties and sites with GS1 ids. */
  readonly organisationGlns: ReadonlyMap<string, string>;
  readonly siteGlns: ReadonlyMap<string, string>;
}

export function loadEpcisConfig(env: NodeJS.ProcessEnv): EpcisConfig {
  const idBase = env.LEDGER_EPCIS_ID_BASE || 'urn:textile-ledger:';
  const organisationGlns = new Map<string, string>();
  const siteGlns = new Map<string, string>();
  for (const pair of (env.LEDGER_EPCIS_GLNS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(site:)?([0-9a-f-]{36})=(\d{13})$/i.exec(pair);
    if (!match || !isGln(match[3]!)) throw new Error(`LEDGER_EPCIS_GLNS: "${pair}" is not <id>=<GLN> or site:<id>=<GLN> with a valid GLN`);
    (match[1] ? siteGlns : organisationGlns).set(match[2]!.toLowerCase(), match[3]!);
  }
  const config = { idBase, organisationGlns, siteGlns };
  // Fails at start-up, not on the first export, when the base is not a urn: or https: URL.
  identifiersOf(config);
  return config;
}

export function identifiersOf(config: EpcisConfig): EpcisIdentifiers {
  return new EpcisIdentifiers(config.idBase, { organisations: config.organisationGlns, sites: config.siteGlns });
}
