import type { Locale } from '../../shared/format.js';

/** The sites page's texts; one interface, so a missing translation is a type error. */
export interface SitesMessages {
  readonly title: (organisation: string) => string;
  readonly intro: string;
  readonly none: string;
  readonly name: string;
  readonly address: string;
  readonly kommune: string;
  readonly pNumber: string;
  readonly status: string;
  readonly open: string;
  readonly closed: string;
  readonly adsExport: string;
  readonly adsLink: (year: number) => string;
  readonly legacyTitle: string;
  readonly legacyIntro: string;
  readonly declareTitle: string;
  readonly declareIntro: string;
  readonly latitude: string;
  readonly longitude: string;
  readonly optional: string;
  readonly declare: string;
  readonly declared: (name: string) => string;
  readonly refused: (detail: string) => string;
  readonly adsTitle: (site: string, year: number) => string;
  readonly adsIntro: string;
  readonly previousYear: string;
  readonly nextYear: string;
  readonly backToSites: string;
  readonly originKommune: string;
  readonly eakCode: string;
  readonly fraction: string;
  readonly treatment: string;
  readonly measurement: string;
  readonly weighed: string;
  readonly estimated: string;
  readonly tonnes: string;
  readonly batches: string;
  readonly total: string;
  readonly unknown: string;
  readonly noRows: string;
  readonly reconciled: (tonnes: string) => string;
  readonly notReconciled: (difference: string) => string;
  readonly balanceLine: (opening: string, intake: string, produced: string, out: string, closing: string) => string;
  readonly downloadCsv: string;
  readonly downloadJson: string;
}

export const SITES_MESSAGES: Readonly<Record<Locale, SitesMessages>> = {
  da: {
    title: (organisation) => `Anlæg: ${organisation}`,
    intro: 'De steder organisationen modtager, behandler og sender tekstiler fra. Navn, kommune og P-nummer kan alle se; adressen kun organisationen selv, revisorer og operatøren.',
    none: 'Organisationen har ikke anmeldt nogen anlæg.',
    name: 'Navn',
    address: 'Adresse',
    kommune: 'Kommune',
    pNumber: 'P-nummer',
    status: 'Status',
    open: 'Åbent',
    closed: 'Lukket',
    adsExport: 'ADS-indberetning',
    adsLink: (year) => `ADS ${year}`,
    legacyTitle: 'Anlæg fra registreringen',
    legacyIntro: 'Nævnt ved registreringen, før anlæg fik id. Ingen hændelse kan henvise til dem; anmeld dem for at bruge dem.',
    declareTitle: 'Anmeld et anlæg',
    declareIntro: 'Kommunekode med fire cifre (fx 0657). P-nummer med ti cifre for en dansk produktionsenhed.',
    latitude: 'Breddegrad (WGS84)',
    longitude: 'Længdegrad (WGS84)',
    optional: 'valgfri',
    declare: 'Anmeld anlæg',
    declared: (name) => `Anlægget ${name} er anmeldt.`,
    refused: (detail) => `Ikke anmeldt: ${detail}`,
    adsTitle: (site, year) => `ADS-indberetning ${year}: ${site}`,
    adsIntro: 'Det anlægget modtog i kalenderåret, pr. oprindelseskommune, EAK-kode, fraktion, behandling (R/D-kode) og opgørelsesmetode, i ton med tre decimaler.',
    previousYear: 'Forrige år',
    nextYear: 'Næste år',
    backToSites: 'Tilbage til anlæggene',
    originKommune: 'Oprindelseskommune',
    eakCode: 'EAK-kode',
    fraction: 'Fraktion',
    treatment: 'Behandling',
    measurement: 'Opgørelsesmetode',
    weighed: 'Vejet',
    estimated: 'Estimeret',
    tonnes: 'Mængde (ton)',
    batches: 'Partier',
    total: 'I alt',
    unknown: 'Ukendt',
    noRows: 'Anlægget modtog intet i året.',
    reconciled: (tonnes) => `Afstemt: rækkerne rummer præcis det anlægget modtog i året (${tonnes}), til grammet, og anlæggets massebalance går op.`,
    notReconciled: (difference) => `Ikke afstemt: rækkerne afviger ${difference} fra det anlægget modtog, eller massebalancen går ikke op.`,
    balanceLine: (opening, intake, produced, out, closing) => `Primo ${opening} + modtaget ${intake} + produceret ${produced} − afgang ${out} = ultimo ${closing}`,
    downloadCsv: 'Hent CSV (ADS)',
    downloadJson: 'Hent JSON',
  },
  en: {
    title: (organisation) => `Sites: ${organisation}`,
    intro: 'The places the organisation receives, processes and ships textiles from. Anyone signed in sees name, kommune and P-number; the address only the organisation itself, auditors and the operator.',
    none: 'The organisation has declared no sites.',
    name: 'Name',
    address: 'Address',
    kommune: 'Kommune',
    pNumber: 'P-number',
    status: 'Status',
    open: 'Open',
    closed: 'Closed',
    adsExport: 'ADS export',
    adsLink: (year) => `ADS ${year}`,
    legacyTitle: 'Sites from the registration',
    legacyIntro: 'Named at registration, before sites had ids. No event can name them; declare them to use them.',
    declareTitle: 'Declare a site',
    declareIntro: 'Kommune code of four digits (e.g. 0657). A P-number of ten digits for a Danish production unit.',
    latitude: 'Latitude (WGS84)',
    longitude: 'Longitude (WGS84)',
    optional: 'optional',
    declare: 'Declare site',
    declared: (name) => `The site ${name} is declared.`,
    refused: (detail) => `Not declared: ${detail}`,
    adsTitle: (site, year) => `ADS export ${year}: ${site}`,
    adsIntro: 'What the site took in over the calendar year, by origin kommune, EAK code, fraction, treatment (R/D code) and measurement method, in tonnes with three decimals.',
    previousYear: 'Previous year',
    nextYear: 'Next year',
    backToSites: 'Back to the sites',
    originKommune: 'Origin kommune',
    eakCode: 'EAK code',
    fraction: 'Fraction',
    treatment: 'Treatment',
    measurement: 'Measurement',
    weighed: 'Weighed',
    estimated: 'Estimated',
    tonnes: 'Tonnes',
    batches: 'Batches',
    total: 'Total',
    unknown: 'Unknown',
    noRows: 'The site took in nothing that year.',
    reconciled: (tonnes) => `Reconciled: the rows hold exactly what the site took in over the year (${tonnes}), to the gram, and the site's mass balance closes.`,
    notReconciled: (difference) => `Not reconciled: the rows differ by ${difference} from what the site took in, or its mass balance does not close.`,
    balanceLine: (opening, intake, produced, out, closing) => `Opening ${opening} + taken in ${intake} + produced ${produced} − out ${out} = closing ${closing}`,
    downloadCsv: 'Download CSV (ADS)',
    downloadJson: 'Download JSON',
  },
};
