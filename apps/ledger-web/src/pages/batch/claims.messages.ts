import type { Locale } from '../../shared/format.js';

/** The claims section's messages (decisions 044, 045); one interface, so a missing translation is a type error. */
export interface ClaimsMessages {
  readonly heading: string;
  readonly intro: string;
  readonly none: string;
  readonly standard: string;
  readonly model: string;
  readonly share: string;
  readonly claimedGrams: string;
  readonly claimant: string;
  readonly date: string;
  readonly certificate: string;
  readonly download: string;
  /** Where a viewer may not download the certificate: who may. */
  readonly certificateForClaimant: string;
  readonly verifyHint: string;
  readonly formLegend: string;
  readonly shareLabel: string;
  readonly shareHelp: string;
  readonly atLeast: (percent: string) => string;
  readonly submit: string;
  readonly invalidShare: string;
  readonly recorded: (share: string, standard: string) => string;
  readonly refused: (reason: string) => string;
  /** The ledger's refusals by problem code, in words; any other is shown as the API words it. */
  readonly refusals: Readonly<Record<string, string>>;
}

const en: ClaimsMessages = {
  heading: 'Recycled-content claims',
  intro: 'Claims that this batch carries a share of recycled content under a standard and a chain-of-custody model. Each certificate is a signed file that anyone can check offline, or on the audit page.',
  none: 'No claims on this batch yet.',
  standard: 'Standard',
  model: 'Chain of custody',
  share: 'Recycled share',
  claimedGrams: 'Recycled content claimed',
  claimant: 'Claimed by',
  date: 'Claimed on',
  certificate: 'Certificate',
  download: 'Download certificate',
  certificateForClaimant: 'Issued to the claimant and auditors',
  verifyHint: 'Check a downloaded certificate on the audit page, or with “npm run ledger -- audit verify <file>”.',
  formLegend: 'Make a claim',
  shareLabel: 'Recycled share (%)',
  shareHelp: 'Up to two decimals, e.g. 30 or 62.5. Physical models may claim at most the batch’s own recycled share; mass balance takes it from your credit account for the year.',
  atLeast: (percent) => `at least ${percent}`,
  submit: 'Claim',
  invalidShare: 'Write the share as a percentage between 0.01 and 100, with at most two decimals.',
  recorded: (share, standard) => `Claim recorded: ${share} under ${standard}.`,
  refused: (reason) => `The ledger refused the claim: ${reason}`,
  refusals: {
    'exceeds-batch-recycled-content': 'it is more than the batch’s own recycled content, which a physical model may not exceed.',
    'below-standard-threshold': 'the share is below the smallest the standard accepts.',
    'insufficient-mass-balance': 'your mass-balance credit account for the period does not hold enough recycled grams.',
    'not-owner-or-custodian': 'only the batch’s owner or custodian may claim its recycled content.',
    'role-not-permitted': 'your organisation has no role that handles material.',
    'read-only-role': 'auditors and the operator only read.',
    'not-a-process-output': 'a claim is made on the output of a process, and this batch was not produced by one.',
    'batch-not-claimable': 'the batch was consumed or voided; claim on what it became instead.',
    'provenance-not-current': 'the batch’s provenance is still being computed; try again in a moment.',
    'claim-exists': 'this claim is already recorded.',
    'claim-contended': 'another claim on the same account was recorded at the same moment; try again.',
  },
};

const da: ClaimsMessages = {
  heading: 'Anprisninger af genanvendt indhold',
  intro: 'Anprisninger af, at partiet rummer en andel genanvendt indhold efter en standard og en sporbarhedsmodel. Hvert certifikat er en underskrevet fil, som enhver kan efterprøve uden net eller på revisionssiden.',
  none: 'Der er endnu ingen anprisninger af dette parti.',
  standard: 'Standard',
  model: 'Sporbarhedsmodel',
  share: 'Genanvendt andel',
  claimedGrams: 'Anprist genanvendt indhold',
  claimant: 'Anprist af',
  date: 'Anprist den',
  certificate: 'Certifikat',
  download: 'Hent certifikat',
  certificateForClaimant: 'Udstedes til den, der fremsætter anprisningen, og revisorer',
  verifyHint: 'Efterprøv et hentet certifikat på revisionssiden eller med “npm run ledger -- audit verify <fil>”.',
  formLegend: 'Anpris genanvendt indhold',
  shareLabel: 'Genanvendt andel (%)',
  shareHelp: 'Højst to decimaler, fx 30 eller 62,5. Fysiske modeller må højst anprise partiets egen genanvendte andel; massebalance trækker på jeres kreditkonto for året.',
  atLeast: (percent) => `mindst ${percent}`,
  submit: 'Anpris',
  invalidShare: 'Skriv andelen som en procent mellem 0,01 og 100 med højst to decimaler.',
  recorded: (share, standard) => `Anprisningen er registreret: ${share} efter ${standard}.`,
  refused: (reason) => `Regnskabet afviste anprisningen: ${reason}`,
  refusals: {
    'exceeds-batch-recycled-content': 'den er større end partiets eget genanvendte indhold, som en fysisk model ikke må overstige.',
    'below-standard-threshold': 'andelen er mindre end den mindste, standarden godtager.',
    'insufficient-mass-balance': 'jeres massebalancekonto for perioden rummer ikke gram genanvendt indhold nok.',
    'not-owner-or-custodian': 'kun partiets ejer eller besidder må anprise dets genanvendte indhold.',
    'role-not-permitted': 'jeres organisation har ingen rolle, der håndterer materiale.',
    'read-only-role': 'revisorer og operatøren kan kun læse.',
    'not-a-process-output': 'en anprisning gøres på et output fra en proces, og dette parti er ikke lavet af en.',
    'batch-not-claimable': 'partiet er forbrugt eller annulleret; anpris det, det blev til, i stedet.',
    'provenance-not-current': 'partiets oprindelse er ved at blive beregnet; prøv igen om et øjeblik.',
    'claim-exists': 'denne anprisning er allerede registreret.',
    'claim-contended': 'en anden anprisning på samme konto blev registreret i samme øjeblik; prøv igen.',
  },
};

export const claimsMessages: Record<Locale, ClaimsMessages> = { en, da };
