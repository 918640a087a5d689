import type { Locale } from '../../shared/format.js';

/** The national page's own messages (the shared ones stay in shared/i18n). */
export interface NationalMessages {
  readonly nav: string;
  readonly title: (year: number) => string;
  readonly intro: string;
  readonly year: string;
  readonly show: string;
  readonly country: string;
  readonly totals: string;
  readonly kommuner: string;
  readonly tableCaption: (year: number) => string;
  readonly kommune: string;
  readonly code: string;
  readonly collected: string;
  readonly preparedForReuse: string;
  readonly recycled: string;
  readonly exported: string;
  readonly energyRecovery: string;
  readonly disposed: string;
  readonly inStock: string;
  readonly losses: string;
  readonly circularity: string;
  readonly rates: string;
  readonly whatIsThis: string;
  readonly onlyCollected: string;
  readonly allKommuner: string;
  readonly refused: string;
  readonly downloads: string;
  readonly downloadCsv: string;
  readonly downloadJson: string;
  readonly rateNames: Readonly<Record<RateKey, string>>;
  /** What each rate measures, in the terms of docs/domain.md (the API's own wording is in the JSON). */
  readonly definitions: Readonly<Record<RateKey, string>>;
}

export const RATE_KEYS = ['reuse', 'recycled', 'circularity', 'fibreToFibre', 'resolved'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

const da: NationalMessages = {
  nav: 'Landstal',
  title: (year) => `Danmark: separat indsamlede tekstiler ${year}`,
  intro: 'Alle 98 kommuner side om side: det separat indsamlede, det forberedt til genbrug og det genanvendte, som landet indberetter det. Tallene er kommunernes egne rapporter, og totalen er deres sum til grammet.',
  year: 'År',
  show: 'Vis',
  country: 'Hele landet',
  totals: 'Landets totaler',
  kommuner: 'Kommuner',
  tableCaption: (year) => `Kommunerne ${year}, i tons`,
  kommune: 'Kommune',
  code: 'Kode',
  collected: 'Indsamlet',
  preparedForReuse: 'Forberedt til genbrug',
  recycled: 'Genanvendt',
  exported: 'Eksporteret',
  energyRecovery: 'Energiudnyttet',
  disposed: 'Forbrændt eller deponeret',
  inStock: 'På lager',
  losses: 'Tab og vejedifferencer',
  circularity: 'Cirkularitet',
  rates: 'Rater for hele landet',
  whatIsThis: 'Hvad betyder det?',
  onlyCollected: 'Vis kun kommuner med indsamling',
  allKommuner: 'Vis alle 98 kommuner',
  refused: 'Kun revisorer og operatøren kan se landstallene.',
  downloads: 'Hent landstallene',
  downloadCsv: 'Hent CSV',
  downloadJson: 'Hent JSON',
  rateNames: { reuse: 'Forberedt til genbrug', recycled: 'Genanvendt', circularity: 'Cirkularitet', fibreToFibre: 'Fiber til fiber', resolved: 'Afgjort' },
  definitions: {
    reuse: 'Det, der blev solgt til genbrug, delt med det indsamlede i året.',
    recycled: 'Det, der blev genanvendt til tekstiler eller til andre produkter, delt med det indsamlede i året.',
    circularity: 'Genbrug plus genanvendt til tekstil plus genanvendt til andre produkter, delt med det indsamlede i året. Eksport til genanvendelse tælles ikke med, fordi dens skæbne ikke er kendt.',
    fibreToFibre: 'Det, der blev genanvendt til nye tekstiler (produkter til tekstilbrug), delt med det indsamlede i året.',
    resolved: 'Det indsamlede minus det, der stadig er på lager, delt med det indsamlede: den andel, hvis skæbne er afgjort.',
  },
};

const en: NationalMessages = {
  nav: 'National',
  title: (year) => `Denmark: separately collected textiles ${year}`,
  intro: 'All 98 kommuner side by side: separately collected, prepared for re-use and recycled, as the country reports them. The figures are the kommuner’s own reports, and the total is their sum to the gram.',
  year: 'Year',
  show: 'Show',
  country: 'The whole country',
  totals: 'The country’s totals',
  kommuner: 'Kommuner',
  tableCaption: (year) => `The kommuner in ${year}, in tonnes`,
  kommune: 'Kommune',
  code: 'Code',
  collected: 'Collected',
  preparedForReuse: 'Prepared for re-use',
  recycled: 'Recycled',
  exported: 'Exported',
  energyRecovery: 'Energy recovery',
  disposed: 'Incinerated or landfilled',
  inStock: 'In stock',
  losses: 'Losses and weighing differences',
  circularity: 'Circularity',
  rates: 'Rates for the whole country',
  whatIsThis: 'What does it mean?',
  onlyCollected: 'Show only kommuner that collected',
  allKommuner: 'Show all 98 kommuner',
  refused: 'Only auditors and the operator may see the national figures.',
  downloads: 'Download the national figures',
  downloadCsv: 'Download CSV',
  downloadJson: 'Download JSON',
  rateNames: { reuse: 'Prepared for re-use', recycled: 'Recycled', circularity: 'Circularity', fibreToFibre: 'Fibre to fibre', resolved: 'Resolved' },
  definitions: {
    reuse: 'What was sold for reuse, divided by what was collected in the year.',
    recycled: 'What was recycled into textiles or into other products, divided by what was collected in the year.',
    circularity: 'Reuse plus recycled into textiles plus recycled into other products, divided by what was collected in the year. Export for recycling is not counted, because its fate is not known.',
    fibreToFibre: 'What was recycled into new textiles (products for textile use), divided by what was collected in the year.',
    resolved: 'What was collected minus what is still in stock, divided by what was collected: the share whose fate is settled.',
  },
};

export const NATIONAL_MESSAGES: Readonly<Record<Locale, NationalMessages>> = { da, en };
