import type { Locale } from '../../shared/format.js';

/** The organisation page's processes and shipments; one interface, so a missing translation is a type error. */
export interface OrganisationActivityMessages {
  readonly processes: string;
  readonly shipments: string;
  readonly noProcesses: string;
  readonly noShipments: string;
  readonly occurred: string;
  readonly processType: string;
  readonly status: string;
  readonly inputs: string;
  readonly outputs: string;
  readonly losses: string;
  readonly dispatched: string;
  readonly direction: string;
  readonly batch: string;
  readonly counterpart: string;
  readonly weight: string;
  readonly received: string;
  readonly outgoing: string;
  readonly incoming: string;
  readonly inTransit: string;
  readonly processesForbidden: string;
  readonly shipmentsForbidden: string;
  readonly moreThanShown: (shown: string) => string;
  readonly inputsCell: (tonnes: string, batches: string) => string;
  readonly sitesLink: string;
}

export const ORGANISATION_ACTIVITY_MESSAGES: Readonly<Record<Locale, OrganisationActivityMessages>> = {
  da: {
    processes: 'Processer',
    shipments: 'Forsendelser',
    noProcesses: 'Ingen processer i perioden.',
    noShipments: 'Ingen forsendelser i perioden.',
    occurred: 'Tidspunkt',
    processType: 'Proces',
    status: 'Status',
    inputs: 'Input',
    outputs: 'Output',
    losses: 'Tab',
    dispatched: 'Afsendt',
    direction: 'Retning',
    batch: 'Parti',
    counterpart: 'Modpart',
    weight: 'Vægt ved afsendelse',
    received: 'Modtaget',
    outgoing: 'Ud',
    incoming: 'Ind',
    inTransit: 'Undervejs',
    processesForbidden: 'Kun organisationen selv, revisorer og operatøren kan se dens processer.',
    shipmentsForbidden: 'Kun organisationen selv, revisorer og operatøren kan se dens forsendelser.',
    moreThanShown: (shown) => `Viser de første ${shown}; der er flere i perioden.`,
    inputsCell: (tonnes, batches) => `${tonnes} (${batches} partier)`,
    sitesLink: 'Anlæg (P-numre) og årsindberetning til ADS',
  },
  en: {
    processes: 'Processes',
    shipments: 'Shipments',
    noProcesses: 'No processes in the period.',
    noShipments: 'No shipments in the period.',
    occurred: 'When',
    processType: 'Process',
    status: 'Status',
    inputs: 'Inputs',
    outputs: 'Outputs',
    losses: 'Losses',
    dispatched: 'Dispatched',
    direction: 'Direction',
    batch: 'Batch',
    counterpart: 'Counterpart',
    weight: 'Dispatch weight',
    received: 'Received',
    outgoing: 'Out',
    incoming: 'In',
    inTransit: 'In transit',
    processesForbidden: 'Only the organisation itself, auditors and the operator may see its processes.',
    shipmentsForbidden: 'Only the organisation itself, auditors and the operator may see its shipments.',
    moreThanShown: (shown) => `Showing the first ${shown}; the period has more.`,
    inputsCell: (tonnes, batches) => `${tonnes} (${batches} batches)`,
    sitesLink: 'Sites (P-numbers) and the annual ADS export',
  },
};
