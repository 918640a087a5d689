import type { Locale } from '../../shared/format.js';

/** The emission factors page's own messages (docs/decisions/042-emission-factors-as-data.md). */
export interface EmissionFactorsMessages {
  readonly nav: string;
  readonly title: string;
  readonly intro: string;
  readonly inForceToday: (setId: string) => string;
  readonly noneInForce: string;
  readonly validFrom: (date: string) => string;
  readonly inForceBadge: string;
  readonly route: string;
  readonly factor: string;
  readonly baseline: string;
  readonly source: string;
  readonly note: string;
  readonly unknown: string;
  readonly routes: Readonly<Record<string, string>>;
  readonly none: string;
  readonly publishHeading: string;
  readonly setId: string;
  readonly validFromLabel: string;
  readonly factorFor: (route: string) => string;
  readonly factorHint: string;
  readonly sourceFor: (route: string) => string;
  readonly publish: string;
  readonly published: (setId: string) => string;
}

const EN: EmissionFactorsMessages = {
  nav: 'Emission factors',
  title: 'Emission factors',
  intro: 'kg CO2e avoided per kg of textile, by route, against a baseline. A set is published once and never changed; a new version is a new set. An empty factor is unknown, never zero.',
  inForceToday: (setId) => `In force today: ${setId}`,
  noneInForce: 'No set is in force today.',
  validFrom: (date) => `valid from ${date}`,
  inForceBadge: 'in force today',
  route: 'Route',
  factor: 'kg CO2e per kg',
  baseline: 'Baseline',
  source: 'Source',
  note: 'Note',
  unknown: 'unknown',
  routes: { recycling: 'Recycling', reuse: 'Reuse', repair: 'Repair', remanufacturing: 'Remanufacturing' },
  none: 'No emission factor set is published yet.',
  publishHeading: 'Publish a new set (operator)',
  setId: 'Set id (lower-case letters, digits and hyphens)',
  validFromLabel: 'Valid from',
  factorFor: (route) => `${route}: kg CO2e per kg (empty = unknown)`,
  factorHint: 'A decimal with a point, e.g. 20.4',
  sourceFor: (route) => `${route}: source`,
  publish: 'Publish',
  published: (setId) => `Published ${setId}.`,
};

const DA: EmissionFactorsMessages = {
  nav: 'Emissionsfaktorer',
  title: 'Emissionsfaktorer',
  intro: 'kg CO2e undgået pr. kg tekstil, efter behandlingsvej, mod et referencescenarie. Et sæt offentliggøres én gang og ændres aldrig; en ny version er et nyt sæt. En tom faktor er ukendt, aldrig nul.',
  inForceToday: (setId) => `Gælder i dag: ${setId}`,
  noneInForce: 'Intet sæt gælder i dag.',
  validFrom: (date) => `gælder fra ${date}`,
  inForceBadge: 'gælder i dag',
  route: 'Behandlingsvej',
  factor: 'kg CO2e pr. kg',
  baseline: 'Referencescenarie',
  source: 'Kilde',
  note: 'Note',
  unknown: 'ukendt',
  routes: { recycling: 'Genanvendelse', reuse: 'Genbrug', repair: 'Reparation', remanufacturing: 'Genfremstilling' },
  none: 'Der er endnu ikke offentliggjort et sæt emissionsfaktorer.',
  publishHeading: 'Offentliggør et nyt sæt (operatør)',
  setId: 'Sættets id (små bogstaver, tal og bindestreger)',
  validFromLabel: 'Gælder fra',
  factorFor: (route) => `${route}: kg CO2e pr. kg (tom = ukendt)`,
  factorHint: 'Et decimaltal med punktum, fx 20.4',
  sourceFor: (route) => `${route}: kilde`,
  publish: 'Offentliggør',
  published: (setId) => `${setId} er offentliggjort.`,
};

export const EMISSION_FACTORS_MESSAGES: Readonly<Record<Locale, EmissionFactorsMessages>> = { en: EN, da: DA };
