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
  readonly kind: string;
  readonly claimCertificate: string;
  readonly claimHeading: string;
  readonly claimId: string;
  readonly claimant: string;
  readonly standard: string;
  readonly atLeast: (percent: string) => string;
  readonly model: string;
  readonly claimed: string;
  readonly claimedShare: (percent: string, claimed: string, mass: string) => string;
  readonly claimedAt: string;
  readonly recomputed: (recycled: string, mass: string, percent: string, postConsumer: string, preConsumer: string, notRecycled: string) => string;
  readonly accountHeading: (accountId: string) => string;
  readonly account: (credited: string, reversed: string, debited: string, balance: string) => string;
}

const en: EvidenceVerifierMessages = {
  heading: 'Verify an evidence bundle or a claim certificate',
  intro: 'Drop an evidence bundle (exported with “ledger audit export”) or a claim certificate (downloaded from a batch’s claims) here, or choose the file. It is checked in this browser alone: nothing is uploaded. The checks and their wording are those of “ledger audit verify”.',
  dropZone: 'Drop an evidence bundle or a claim certificate here',
  chooseFile: 'Choose an evidence bundle or a claim certificate',
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
  kind: 'File',
  claimCertificate: 'Claim certificate',
  claimHeading: 'The claim, recomputed from the certificate’s events',
  claimId: 'Claim',
  claimant: 'Claimed by',
  standard: 'Standard',
  atLeast: (percent) => `at least ${percent}`,
  model: 'Chain of custody',
  claimed: 'Claimed',
  claimedShare: (percent, claimed, mass) => `${percent} recycled content: ${claimed} of ${mass}`,
  claimedAt: 'Claimed on',
  recomputed: (recycled, mass, percent, postConsumer, preConsumer, notRecycled) =>
    `When it was claimed the batch held ${recycled} recycled of ${mass} (${percent}): post-consumer ${postConsumer}, pre-consumer ${preConsumer}, not recycled ${notRecycled}.`,
  accountHeading: (accountId) => `Mass-balance account ${accountId}`,
  account: (credited, reversed, debited, balance) => `Credited ${credited}, reversed ${reversed}, debited ${debited}, balance ${balance}; never below zero.`,
};

const da: EvidenceVerifierMessages = {
  heading: 'Efterprøv en bevispakke eller et anprisningscertifikat',
  intro: 'Slip en bevispakke (eksporteret med “ledger audit export”) eller et anprisningscertifikat (hentet under et partis anprisninger) her, eller vælg filen. Den efterprøves alene i denne browser: intet sendes. Kontrollerne og deres ordlyd er dem fra “ledger audit verify”.',
  dropZone: 'Slip en bevispakke eller et anprisningscertifikat her',
  chooseFile: 'Vælg en bevispakke eller et anprisningscertifikat',
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
  kind: 'Fil',
  claimCertificate: 'Anprisningscertifikat',
  claimHeading: 'Anprisningen, genberegnet ud fra certifikatets hændelser',
  claimId: 'Anprisning',
  claimant: 'Anprist af',
  standard: 'Standard',
  atLeast: (percent) => `mindst ${percent}`,
  model: 'Sporbarhedsmodel',
  claimed: 'Anprist',
  claimedShare: (percent, claimed, mass) => `${percent} genanvendt indhold: ${claimed} af ${mass}`,
  claimedAt: 'Anprist den',
  recomputed: (recycled, mass, percent, postConsumer, preConsumer, notRecycled) =>
    `Da anprisningen blev gjort, rummede partiet ${recycled} genanvendt af ${mass} (${percent}): post-consumer ${postConsumer}, pre-consumer ${preConsumer}, ikke genanvendt ${notRecycled}.`,
  accountHeading: (accountId) => `Massebalancekonto ${accountId}`,
  account: (credited, reversed, debited, balance) => `Krediteret ${credited}, tilbageført ${reversed}, debiteret ${debited}, saldo ${balance}; aldrig under nul.`,
};

export const evidenceVerifierMessages: Record<Locale, EvidenceVerifierMessages> = { en, da };
