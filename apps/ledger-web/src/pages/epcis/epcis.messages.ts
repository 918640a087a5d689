import type { Locale } from '../../shared/format.js';

/** The EPCIS page's and export buttons' messages (docs/decisions/047-epcis.md). */
export interface EpcisMessages {
  readonly nav: string;
  readonly title: string;
  readonly intro: string;
  readonly fileLabel: string;
  readonly capture: string;
  readonly chooseFile: string;
  readonly notJson: string;
  readonly accepted: (events: number) => string;
  readonly jobsHeading: string;
  readonly noJobs: string;
  readonly created: string;
  readonly status: string;
  readonly events: string;
  readonly captured: string;
  readonly alreadyCaptured: string;
  readonly refused: string;
  readonly statuses: Readonly<Record<string, string>>;
  readonly resultsHeading: (createdAt: string) => string;
  readonly index: string;
  readonly eventId: string;
  readonly fate: string;
  readonly command: string;
  readonly why: string;
  readonly fates: Readonly<Record<string, string>>;
  readonly commands: Readonly<Record<string, string>>;
  readonly show: string;
  readonly exportHeading: string;
  readonly exportBatch: string;
  readonly exportUpstream: string;
  readonly exportDownstream: string;
  readonly exportYear: (year: number) => string;
}

const COMMANDS_EN = { collect: 'collection', 'register-residual': 'residual', dispatch: 'dispatch', receive: 'receipt', cancel: 'cancelled shipment', process: 'process', outcome: 'outcome', 'correct-mass': 'mass correction', 'void-process': 'void of a process' };
const COMMANDS_DA = { collect: 'indsamling', 'register-residual': 'restprodukt', dispatch: 'afsendelse', receive: 'modtagelse', cancel: 'annulleret forsendelse', process: 'proces', outcome: 'afslutning', 'correct-mass': 'vægtrettelse', 'void-process': 'annullering af proces' };

const EN: EpcisMessages = {
  nav: 'EPCIS',
  title: 'EPCIS capture',
  intro: 'Upload a GS1 EPCIS 2.0 document (JSON-LD). Every event is recorded as your organisation’s own command, by the same rules as the rest of the ledger; an event captured before is recognised by its eventID and recorded only once.',
  fileLabel: 'EPCIS document (.jsonld or .json)',
  capture: 'Capture',
  chooseFile: 'Choose a file first.',
  notJson: 'The file is not JSON.',
  accepted: (events) => `Accepted: ${events} events are being recorded.`,
  jobsHeading: 'Capture jobs',
  noJobs: 'No capture jobs yet.',
  created: 'Started',
  status: 'Status',
  events: 'Events',
  captured: 'Recorded',
  alreadyCaptured: 'Already recorded',
  refused: 'Refused',
  statuses: { accepted: 'waiting', running: 'running', finished: 'finished' },
  resultsHeading: (createdAt) => `Events of the capture started ${createdAt}`,
  index: 'No.',
  eventId: 'eventID',
  fate: 'Result',
  command: 'Recorded as',
  why: 'Why',
  fates: { captured: 'recorded', 'already-captured': 'already recorded', refused: 'refused' },
  commands: COMMANDS_EN,
  show: 'Show events',
  exportHeading: 'EPCIS export',
  exportBatch: 'This batch’s events (EPCIS)',
  exportUpstream: 'With everything upstream (EPCIS)',
  exportDownstream: 'With everything downstream (EPCIS)',
  exportYear: (year) => `Events of ${year} (EPCIS)`,
};

const DA: EpcisMessages = {
  nav: 'EPCIS',
  title: 'EPCIS-indlæsning',
  intro: 'Indlæs et GS1 EPCIS 2.0-dokument (JSON-LD). Hver hændelse registreres som din organisations egen kommando, efter de samme regler som resten af registret; en hændelse, der er indlæst før, genkendes på sit eventID og registreres kun én gang.',
  fileLabel: 'EPCIS-dokument (.jsonld eller .json)',
  capture: 'Indlæs',
  chooseFile: 'Vælg først en fil.',
  notJson: 'Filen er ikke JSON.',
  accepted: (events) => `Modtaget: ${events} hændelser registreres.`,
  jobsHeading: 'Indlæsninger',
  noJobs: 'Ingen indlæsninger endnu.',
  created: 'Startet',
  status: 'Status',
  events: 'Hændelser',
  captured: 'Registreret',
  alreadyCaptured: 'Allerede registreret',
  refused: 'Afvist',
  statuses: { accepted: 'venter', running: 'i gang', finished: 'færdig' },
  resultsHeading: (createdAt) => `Hændelser i indlæsningen startet ${createdAt}`,
  index: 'Nr.',
  eventId: 'eventID',
  fate: 'Resultat',
  command: 'Registreret som',
  why: 'Hvorfor',
  fates: { captured: 'registreret', 'already-captured': 'allerede registreret', refused: 'afvist' },
  commands: COMMANDS_DA,
  show: 'Vis hændelser',
  exportHeading: 'EPCIS-eksport',
  exportBatch: 'Partiets hændelser (EPCIS)',
  exportUpstream: 'Med alt opstrøms (EPCIS)',
  exportDownstream: 'Med alt nedstrøms (EPCIS)',
  exportYear: (year) => `Hændelser i ${year} (EPCIS)`,
};

export const EPCIS_MESSAGES: Readonly<Record<Locale, EpcisMessages>> = { en: EN, da: DA };
