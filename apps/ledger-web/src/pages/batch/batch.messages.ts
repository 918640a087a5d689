import type { Locale } from '../../shared/format.js';

/** The batch page's own messages; one interface, so a missing translation is a type error. */
export interface BatchMessages {
  readonly lineageGraph: string;
  readonly lineageGraphHelp: string;
  readonly lineageGraphName: string;
  readonly lineageShown: (shown: number, known: number) => string;
  readonly lineageTable: string;
  readonly nodeName: (title: string, mass: string, holder: string, relation: string) => string;
  readonly relation: (side: 'upstream' | 'downstream' | 'root', depth: number) => string;
  readonly expand: (count: number, title: string) => string;
  readonly collapse: (title: string) => string;
  readonly withheldNode: (batches: number, edges: number) => string;
  readonly withheldName: (side: 'upstream' | 'downstream', batches: number, edges: number) => string;
  readonly lineageCut: string;
  readonly lineageTooLarge: (depth: number) => string;
  readonly loadingLayout: string;
  readonly provenanceBreakdown: string;
  readonly recycled: string;
  readonly percentOfMass: string;
  readonly history: string;
  readonly historyCaption: string;
  readonly position: string;
  readonly eventType: string;
  readonly occurred: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly hashes: string;
  readonly eventHash: string;
  readonly leafHash: string;
  readonly corrections: string;
  readonly correctsLink: (position: number) => string;
  readonly correctedByLink: (position: number) => string;
  readonly parentsWithheld: (count: number) => string;
  readonly checkpoint: (treeSize: number, keyId: string) => string;
  readonly noCheckpoint: string;
  readonly asOfLegend: string;
  readonly asOfLabel: string;
  readonly asOfHelp: string;
  readonly asOfApply: string;
  readonly asOfClear: string;
  readonly asOfNow: string;
  readonly asOfShown: (time: string, position: number) => string;
  readonly asOfBeforeBatch: string;
  readonly asOfInvalid: string;
  readonly lineageIsLive: string;
}

const en: BatchMessages = {
  lineageGraph: 'Lineage graph',
  lineageGraphHelp:
    'Material flows from left to right: what the batch was made from on the left, what was made from it on the right. Each batch opens its own page; + shows one more step beyond a batch, − hides it again.',
  lineageGraphName: 'Lineage graph of this batch',
  lineageShown: (shown, known) => `${shown} of ${known} batches shown.`,
  lineageTable: 'The lineage as lists',
  nodeName: (title, mass, holder, relation) => `${title}, ${mass}, held by ${holder} (${relation})`,
  relation: (side, depth) => (side === 'root' ? 'this batch' : side === 'upstream' ? `${depth} ${depth === 1 ? 'step' : 'steps'} upstream` : `${depth} ${depth === 1 ? 'step' : 'steps'} downstream`),
  expand: (count, title) => `Show ${count} more ${count === 1 ? 'batch' : 'batches'} beyond ${title}`,
  collapse: (title) => `Hide what lies beyond ${title}`,
  withheldNode: (batches, edges) => `${batches} ${batches === 1 ? 'batch' : 'batches'}, ${edges} ${edges === 1 ? 'link' : 'links'} withheld`,
  withheldName: (side, batches, edges) => `${side === 'upstream' ? 'Upstream' : 'Downstream'}: ${batches} ${batches === 1 ? 'batch' : 'batches'} and ${edges} ${edges === 1 ? 'link' : 'links'} you may not see`,
  lineageCut: 'more beyond: open its page',
  lineageTooLarge: (depth) => `The whole lineage is larger than one answer may hold; shown up to ${depth} steps each way.`,
  loadingLayout: 'Laying out the lineage graph…',
  provenanceBreakdown: 'Provenance breakdown',
  recycled: 'Recycled content',
  percentOfMass: 'Share of mass',
  history: 'History',
  historyCaption: 'Every event of this batch in the order the ledger recorded it',
  position: 'Position',
  eventType: 'Event',
  occurred: 'Occurred',
  recordedAt: 'Recorded',
  actor: 'By',
  hashes: 'Hashes',
  eventHash: 'event',
  leafHash: 'leaf',
  corrections: 'Corrections',
  correctsLink: (position) => `corrects event ${position}`,
  correctedByLink: (position) => `corrected by event ${position}`,
  parentsWithheld: (count) => `${count} ${count === 1 ? 'parent' : 'parents'} withheld`,
  checkpoint: (treeSize, keyId) => `Leaf hashes are in the signed checkpoint of ${treeSize} events (key ${keyId}).`,
  noCheckpoint: 'No signed checkpoint covers these events yet, so the leaf hashes are not shown.',
  asOfLegend: 'As of a moment',
  asOfLabel: 'As of (Copenhagen time)',
  asOfHelp: 'Shows the summary, custody, provenance and history as the ledger knew them at that moment.',
  asOfApply: 'Show as of',
  asOfClear: 'Now',
  asOfNow: 'Showing the ledger as it is now.',
  asOfShown: (time, position) => `Showing the ledger as of ${time} (log position ${position}).`,
  asOfBeforeBatch: 'The ledger did not know this batch yet at that moment.',
  asOfInvalid: 'Choose a date and time.',
  lineageIsLive: 'The lineage shows the ledger as it is now.',
};

const da: BatchMessages = {
  lineageGraph: 'Slægtsgraf',
  lineageGraphHelp:
    'Materialet flyder fra venstre mod højre: det partiet blev lavet af til venstre, det der blev lavet af det til højre. Hvert parti åbner sin egen side; + viser et trin mere bag et parti, − skjuler det igen.',
  lineageGraphName: 'Partiets slægtsgraf',
  lineageShown: (shown, known) => `${shown} af ${known} partier vist.`,
  lineageTable: 'Slægten som lister',
  nodeName: (title, mass, holder, relation) => `${title}, ${mass}, hos ${holder} (${relation})`,
  relation: (side, depth) => (side === 'root' ? 'dette parti' : side === 'upstream' ? `${depth} trin opstrøms` : `${depth} trin nedstrøms`),
  expand: (count, title) => `Vis ${count} ${count === 1 ? 'parti' : 'partier'} mere bag ${title}`,
  collapse: (title) => `Skjul det der ligger bag ${title}`,
  withheldNode: (batches, edges) => `${batches} ${batches === 1 ? 'parti' : 'partier'}, ${edges} led tilbageholdt`,
  withheldName: (side, batches, edges) => `${side === 'upstream' ? 'Opstrøms' : 'Nedstrøms'}: ${batches} ${batches === 1 ? 'parti' : 'partier'} og ${edges} led, du ikke må se`,
  lineageCut: 'mere bagved: åbn dets side',
  lineageTooLarge: (depth) => `Hele slægten er større end ét svar må rumme; vist op til ${depth} trin hver vej.`,
  loadingLayout: 'Tegner slægtsgrafen…',
  provenanceBreakdown: 'Oprindelse fordelt',
  recycled: 'Genanvendt indhold',
  percentOfMass: 'Andel af massen',
  history: 'Historik',
  historyCaption: 'Alle partiets hændelser i den rækkefølge, regnskabet registrerede dem',
  position: 'Position',
  eventType: 'Hændelse',
  occurred: 'Fandt sted',
  recordedAt: 'Registreret',
  actor: 'Af',
  hashes: 'Hashværdier',
  eventHash: 'hændelse',
  leafHash: 'blad',
  corrections: 'Rettelser',
  correctsLink: (position) => `retter hændelse ${position}`,
  correctedByLink: (position) => `rettet af hændelse ${position}`,
  parentsWithheld: (count) => `${count} ${count === 1 ? 'forælder' : 'forældre'} tilbageholdt`,
  checkpoint: (treeSize, keyId) => `Bladhashværdierne indgår i det signerede checkpoint over ${treeSize} hændelser (nøgle ${keyId}).`,
  noCheckpoint: 'Intet signeret checkpoint dækker hændelserne endnu, så bladhashværdierne vises ikke.',
  asOfLegend: 'På et tidspunkt',
  asOfLabel: 'Pr. (københavnsk tid)',
  asOfHelp: 'Viser oversigt, forvaring, oprindelse og historik, som regnskabet kendte dem på det tidspunkt.',
  asOfApply: 'Vis pr.',
  asOfClear: 'Nu',
  asOfNow: 'Viser regnskabet, som det er nu.',
  asOfShown: (time, position) => `Viser regnskabet pr. ${time} (logposition ${position}).`,
  asOfBeforeBatch: 'Regnskabet kendte ikke partiet endnu på det tidspunkt.',
  asOfInvalid: 'Vælg en dato og et klokkeslæt.',
  lineageIsLive: 'Slægten viser regnskabet, som det er nu.',
};

export const batchMessages: Record<Locale, BatchMessages> = { da, en };
