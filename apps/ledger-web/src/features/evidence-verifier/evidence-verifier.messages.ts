import type { Locale } from '../../shared/format.js';

/** The evidence verifier's own messages; one interface, so a missing translation is a type error. */
export interface EvidenceVerifierMessages {
  readonly heading: string;
  readonly intro: string;
  readonly dropZone: string;
  readonly chooseFile: string;
  readonly verifying: (file: string) => string;
  readonly verified: (file: string) => string;
  readonly failed: (file: string) => string;
  readonly firstFailure: string;
  readonly failureInEnglish: string;
  readonly subject: string;
  readonly withUpstream: string;
  readonly checkpointLabel: string;
  readonly checkpoint: (treeSize: string, signedAt: string, keyId: string) => string;
  readonly counts: (streams: string, events: string, proofs: string, checkpoints: string) => string;
  readonly keyTrust: (keyId: string) => string;
  readonly checksHeading: string;
  readonly ok: string;
  readonly fail: string;
  readonly provenance: string;
  readonly unreadable: (file: string) => string;
  readonly verifierError: (detail: string) => string;
}

const en: EvidenceVerifierMessages = {
  heading: 'Verify an evidence bundle',
  intro: 'Drop an evidence bundle (exported with “ledger audit export”) here, or choose the file. It is checked in this browser alone: nothing is uploaded. The checks and their wording are those of “ledger audit verify”.',
  dropZone: 'Drop an evidence bundle here',
  chooseFile: 'Choose an evidence bundle',
  verifying: (file) => `Verifying ${file}…`,
  verified: (file) => `Verified: ${file} holds what the ledger signed.`,
  failed: (file) => `Failed: ${file} does not verify.`,
  firstFailure: 'First failure',
  failureInEnglish: 'as the command line words it',
  subject: 'Batch',
  withUpstream: 'with its upstream',
  checkpointLabel: 'Checkpoint',
  checkpoint: (treeSize, signedAt, keyId) => `Checkpoint of ${treeSize} events, signed ${signedAt} by key ${keyId}`,
  counts: (streams, events, proofs, checkpoints) => `Checked: streams ${streams} · events ${events} · inclusion proofs ${proofs} · signed checkpoints ${checkpoints}`,
  keyTrust: (keyId) => `Checked with the key inside the bundle: compare its id ${keyId} with the signing key above.`,
  checksHeading: 'Checks',
  ok: 'ok',
  fail: 'failed',
  provenance: 'Provenance',
  unreadable: (file) => `${file} could not be read.`,
  verifierError: (detail) => `The bundle could not be checked in this browser: ${detail}`,
};

const da: EvidenceVerifierMessages = {
  heading: 'Efterprøv en bevispakke',
  intro: 'Slip en bevispakke (eksporteret med “ledger audit export”) her, eller vælg filen. Den efterprøves alene i denne browser: intet sendes. Kontrollerne og deres ordlyd er dem fra “ledger audit verify”.',
  dropZone: 'Slip en bevispakke her',
  chooseFile: 'Vælg en bevispakke',
  verifying: (file) => `Efterprøver ${file} …`,
  verified: (file) => `Efterprøvet: ${file} rummer det, regnskabet har underskrevet.`,
  failed: (file) => `Fejlet: ${file} kan ikke efterprøves.`,
  firstFailure: 'Første fejl',
  failureInEnglish: 'som kommandolinjen formulerer den (på engelsk)',
  subject: 'Parti',
  withUpstream: 'med dets forløb',
  checkpointLabel: 'Kontrolpunkt',
  checkpoint: (treeSize, signedAt, keyId) => `Kontrolpunkt over ${treeSize} hændelser, underskrevet ${signedAt} med nøgle ${keyId}`,
  counts: (streams, events, proofs, checkpoints) => `Kontrolleret: strømme ${streams} · hændelser ${events} · inklusionsbeviser ${proofs} · underskrevne kontrolpunkter ${checkpoints}`,
  keyTrust: (keyId) => `Kontrolleret med nøglen i pakken: sammenlign dens id ${keyId} med underskriftsnøglen ovenfor.`,
  checksHeading: 'Kontroller',
  ok: 'ok',
  fail: 'fejlet',
  provenance: 'Oprindelse',
  unreadable: (file) => `${file} kunne ikke læses.`,
  verifierError: (detail) => `Pakken kunne ikke efterprøves i denne browser: ${detail}`,
};

export const evidenceVerifierMessages: Record<Locale, EvidenceVerifierMessages> = { en, da };
