import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { REPROCESSING_TYPES, claimedRecycledGrams, parseEvent, type ProcessStarted } from '#domain';
import { SqliteEventStore, auditKeyFromPem, canonicalJson, type StoredEvent } from '#event-store';
import { ProvenanceProjection, provenance, toProjectedEvent } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { exportClaimCertificate } from '../../../apps/ledger-cli/src/audit/export-claim-certificate.js';
import { verifyAuditBundle } from '../../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { recomputeProvenance, verifyClaimCertificate, verifyEvidenceFile, type ClaimCertificateReport, type PositionedEvent } from './index.js';

const id = (n: number): string => `0190a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const PERIOD = '2026';

interface MutableCertificate {
  subject: { claimId: string; batchId: string; claimStreamId: string; accountStreamId: string | null };
  events: Array<{ streamId: string; type: string; data: Record<string, unknown> }>;
  certificateSignature: string;
}

const edit = (text: string, change: (certificate: MutableCertificate) => void): string => {
  const certificate = JSON.parse(text) as MutableCertificate;
  change(certificate);
  return canonicalJson(certificate);
};

/**
 * Claim certificates (decision 045) of claims on a generated ledger: the ledger's own exporter writes
 * them, and the one verifier the CLI and the audit page share checks them. The claims are appended as
 * the ledger records them; the ones the ledger would refuse are appended here directly, to show that
 * the certificate's own recompute catches a ledger that recorded them anyway.
 */
describe('the claim certificate verifier', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = auditKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'the test key');
  const now = new Date('2026-12-01T00:00:00Z');
  let store: SqliteEventStore;
  let log: PositionedEvent[];
  const certificates = new Map<string, string>();
  let physical: { batchId: string; basisPoints: number };
  let claimant: string;
  /** The last position of the ledger as the write side would have it. */
  let validUpTo: number;

  const append = async (streamId: string, events: Array<{ type: string; data: object }>): Promise<void> => {
    await store.append(
      streamId,
      events.map((e, i) => ({ eventId: `${streamId}-${e.type}-${i}-${Math.random()}`, type: e.type, schemaVersion: 1, data: e.data, metadata: { actorOrgId: claimant, commandId: streamId, correlationId: streamId, causationId: streamId } })),
      'any',
    );
  };
  const provenanceOf = (batchId: string, upTo?: number) => recomputeProvenance(batchId, log, upTo);
  const certify = async (name: string, claimId: string): Promise<void> => {
    certificates.set(name, canonicalJson(await exportClaimCertificate(store, { claimId, key, origin: 'test.ledger/log', now })));
  };
  const claimed = (claimId: string, batchId: string, standard: string, model: string, basisPoints: number, accountId?: string) => {
    const batch = provenanceOf(batchId)!;
    return {
      type: 'RecycledContentClaimed',
      data: {
        claimId,
        batchId,
        claimantOrganisationId: claimant,
        standard,
        model,
        recycledContentBasisPoints: basisPoints,
        batchMassGrams: batch.massGrams,
        claimedRecycledGrams: claimedRecycledGrams(batch.massGrams, basisPoints),
        batchRecycledGrams: batch.recycledGrams,
        ...(accountId ? { accountId, periodId: PERIOD } : {}),
        occurredAt: '2026-11-30T12:00:00+01:00',
      },
    };
  };
  const readLog = async (): Promise<void> => {
    const events = await store.readAll({ maxCount: 100_000 });
    log = events.map((e) => ({ position: e.position, event: parseEvent(e.type, e.schemaVersion, e.data) }));
  };

  beforeAll(async () => {
    store = await SqliteEventStore.open({ filename: ':memory:', synchronous: 'NORMAL' });
    await appendScenario(store, generateScenario({ seed: 7, batches: 40 }));
    await readLog();

    // A physical claim on a batch blended half and half from a produced batch and virgin fibre, at
    // exactly its recycled share, so that one basis point more is too much.
    const lastProduced = [...log].reverse().find((e) => e.event.type === 'BatchProduced' && !log.some((l) => l.position > e.position && 'batchId' in l.event.data && l.event.data.batchId === (e.event.data as { batchId: string }).batchId))!;
    const source = lastProduced.event.type === 'BatchProduced' ? lastProduced.event.data : undefined;
    if (source === undefined) throw new Error('no untouched produced batch');
    const blendId = id(100);
    const blended = id(101);
    const polyester = [{ fibre: 'polyester', share: 10_000 }];
    const parents = [{ batchId: source.batchId, massGrams: source.massGrams }];
    const blendedAt = '2026-06-01T10:00:00+02:00';
    claimant = source.organisationId;
    await append(`process-${blendId}`, [
      {
        type: 'ProcessStarted',
        data: {
          processId: blendId,
          organisationId: source.organisationId,
          processType: 'blending',
          inputs: [{ batchId: source.batchId, massGrams: source.massGrams, expectedRevision: 0 }],
          externalInputs: [{ description: 'virgin polyester staple fibre', massGrams: source.massGrams, composition: polyester, originClass: 'virgin' }],
          outputs: [{ batchId: blended, massGrams: 2 * source.massGrams, grade: 'recycling', composition: polyester, parents }],
          losses: [],
          occurredAt: blendedAt,
        },
      },
    ]);
    await append(`batch-${source.batchId}`, [{ type: 'BatchConsumed', data: { batchId: source.batchId, processId: blendId, massGrams: source.massGrams } }]);
    await append(`batch-${blended}`, [
      { type: 'BatchProduced', data: { batchId: blended, processId: blendId, processType: 'blending', organisationId: source.organisationId, massGrams: 2 * source.massGrams, grade: 'recycling', composition: polyester, parents, occurredAt: blendedAt } },
    ]);
    await append(`process-${blendId}`, [{ type: 'ProcessCompleted', data: { processId: blendId } }]);
    await readLog();
    const produced = log.flatMap((e) => (e.event.type === 'BatchProduced' ? [e.event.data.batchId] : []));
    physical = { batchId: blended, basisPoints: provenanceOf(blended)!.recycledContentBasisPoints };
    expect(physical.basisPoints).toBe(5000);

    // A mass-balance account: the recycled grams that entered the completed reprocessing processes
    // of one organisation, credited process by process as the ledger does.
    const completed = new Set(log.flatMap((e) => (e.event.type === 'ProcessCompleted' ? [e.event.data.processId] : [])));
    const started = log.flatMap((e) => (e.event.type === 'ProcessStarted' && REPROCESSING_TYPES.has(e.event.data.processType) && completed.has(e.event.data.processId) ? [{ position: e.position, process: e.event.data }] : []));
    const byOrganisation = new Map<string, Array<{ position: number; process: ProcessStarted }>>();
    for (const s of started) byOrganisation.set(s.process.organisationId, [...(byOrganisation.get(s.process.organisationId) ?? []), s]);
    const [organisationId, processes] = [...byOrganisation].sort((a, b) => b[1].length - a[1].length)[0]!;
    claimant = organisationId;
    const accountId = `${claimant}-${PERIOD}`;
    const credits = processes.map(({ position, process }) => {
      const inputs = process.inputs.map((input) => ({ batchId: input.batchId, recycledGrams: provenanceOf(input.batchId, position)!.recycledGrams }));
      return { process, inputs, creditedGrams: inputs.reduce((sum, i) => sum + i.recycledGrams, 0) };
    }).filter((c) => c.creditedGrams > 0);
    const balance = credits.reduce((sum, c) => sum + c.creditedGrams, 0);
    await append(
      `mass-balance-account-${accountId}`,
      credits.map((c) => ({
        type: 'MassBalanceCredited',
        data: { accountId, organisationId: claimant, periodId: PERIOD, processId: c.process.processId, processType: c.process.processType, creditedGrams: c.creditedGrams, inputs: c.inputs, occurredAt: c.process.occurredAt },
      })),
    );
    // The batch claimed: the smallest produced one, at the largest share the balance affords.
    const smallest = produced.map((batchId) => provenanceOf(batchId)!).filter((p) => p !== null).sort((a, b) => a.massGrams - b.massGrams)[0]!;
    const mbBasisPoints = Math.min(10_000, Math.floor((balance * 10_000) / smallest.massGrams));
    expect(mbBasisPoints).toBeGreaterThanOrEqual(500);

    // The claims the ledger records.
    await append(`recycled-content-claim-${id(1)}`, [claimed(id(1), physical.batchId, 'grs-label', 'segregated', physical.basisPoints)]);
    const mbClaim = claimed(id(2), smallest.batchId, 'rcs', 'mass-balance', mbBasisPoints, accountId);
    await append(`mass-balance-account-${accountId}`, [mbClaim, { type: 'MassBalanceDebited', data: { accountId, organisationId: claimant, periodId: PERIOD, claimId: id(2), batchId: smallest.batchId, debitedGrams: mbClaim.data.claimedRecycledGrams, occurredAt: mbClaim.data.occurredAt } }]);

    // Claims the ledger refuses, recorded here anyway (after the ledger the projection is compared on).
    validUpTo = await store.headPosition();
    await append(`recycled-content-claim-${id(3)}`, [claimed(id(3), physical.batchId, 'rcs', 'identity-preserved', physical.basisPoints + 1)]);
    await append(`recycled-content-claim-${id(4)}`, [claimed(id(4), physical.batchId, 'rcs-100', 'segregated', physical.basisPoints)]);
    const overdrawn = `${id(50)}-${PERIOD}`;
    const tooMuch = claimed(id(5), smallest.batchId, 'rcs', 'mass-balance', 10_000, overdrawn);
    await append(`mass-balance-account-${overdrawn}`, [
      { type: 'MassBalanceCredited', data: { accountId: overdrawn, organisationId: claimant, periodId: PERIOD, processId: processes[0]!.process.processId, processType: processes[0]!.process.processType, creditedGrams: 1, inputs: [{ batchId: processes[0]!.process.inputs[0]!.batchId, recycledGrams: 1 }], occurredAt: processes[0]!.process.occurredAt } },
      tooMuch,
      { type: 'MassBalanceDebited', data: { accountId: overdrawn, organisationId: claimant, periodId: PERIOD, claimId: id(5), batchId: smallest.batchId, debitedGrams: tooMuch.data.claimedRecycledGrams, occurredAt: tooMuch.data.occurredAt } },
    ]);
    const unbacked = `${id(60)}-${PERIOD}`;
    const onNothing = claimed(id(6), smallest.batchId, 'rcs', 'mass-balance', 500, unbacked);
    await append(`mass-balance-account-${unbacked}`, [
      { type: 'MassBalanceCredited', data: { accountId: unbacked, organisationId: claimant, periodId: PERIOD, processId: id(61), processType: 'mechanical-recycling', creditedGrams: smallest.massGrams, inputs: [{ batchId: id(62), recycledGrams: smallest.massGrams }], occurredAt: '2026-01-05T10:00:00+01:00' } },
      onNothing,
      { type: 'MassBalanceDebited', data: { accountId: unbacked, organisationId: claimant, periodId: PERIOD, claimId: id(6), batchId: smallest.batchId, debitedGrams: onNothing.data.claimedRecycledGrams, occurredAt: onNothing.data.occurredAt } },
    ]);
    const misrounded = claimed(id(7), physical.batchId, 'grs', 'segregated', 2_001);
    await append(`recycled-content-claim-${id(7)}`, [{ ...misrounded, data: { ...misrounded.data, claimedRecycledGrams: misrounded.data.claimedRecycledGrams + 1 } }]);
    const inflated = `${id(80)}-${PERIOD}`;
    const [first] = processes;
    const onInflated = claimed(id(8), smallest.batchId, 'rcs', 'mass-balance', 500, inflated);
    const tooMuchInput = first!.process.inputs[0]!.massGrams + 1;
    await append(`mass-balance-account-${inflated}`, [
      { type: 'MassBalanceCredited', data: { accountId: inflated, organisationId: claimant, periodId: PERIOD, processId: first!.process.processId, processType: first!.process.processType, creditedGrams: tooMuchInput, inputs: [{ batchId: first!.process.inputs[0]!.batchId, recycledGrams: tooMuchInput }], occurredAt: first!.process.occurredAt } },
      onInflated,
      { type: 'MassBalanceDebited', data: { accountId: inflated, organisationId: claimant, periodId: PERIOD, claimId: id(8), batchId: smallest.batchId, debitedGrams: onInflated.data.claimedRecycledGrams, occurredAt: onInflated.data.occurredAt } },
    ]);
    // A credited process whose void began, with no reversal of its credit on the account.
    const voidedProcess = id(90);
    const voidedInput = { batchId: id(91), massGrams: smallest.massGrams, expectedRevision: 0 };
    const voidedOutput = { batchId: id(92), massGrams: smallest.massGrams, grade: 'fibre', composition: polyester, parents: [{ batchId: id(91), massGrams: smallest.massGrams }] };
    await append(`process-${voidedProcess}`, [
      { type: 'ProcessStarted', data: { processId: voidedProcess, organisationId: claimant, processType: 'mechanical-recycling', inputs: [voidedInput], externalInputs: [], outputs: [voidedOutput], losses: [], occurredAt: '2026-02-01T10:00:00+01:00' } },
      { type: 'ProcessCompleted', data: { processId: voidedProcess } },
    ]);
    const unreversed = `${id(93)}-${PERIOD}`;
    const onVoided = claimed(id(9), smallest.batchId, 'rcs', 'mass-balance', 500, unreversed);
    await append(`mass-balance-account-${unreversed}`, [
      { type: 'MassBalanceCredited', data: { accountId: unreversed, organisationId: claimant, periodId: PERIOD, processId: voidedProcess, processType: 'mechanical-recycling', creditedGrams: smallest.massGrams, inputs: [{ batchId: id(91), recycledGrams: smallest.massGrams }], occurredAt: '2026-02-01T10:00:00+01:00' } },
      onVoided,
      { type: 'MassBalanceDebited', data: { accountId: unreversed, organisationId: claimant, periodId: PERIOD, claimId: id(9), batchId: smallest.batchId, debitedGrams: onVoided.data.claimedRecycledGrams, occurredAt: onVoided.data.occurredAt } },
    ]);
    await append(`process-${voidedProcess}`, [
      {
        type: 'ProcessVoidStarted',
        data: {
          processId: voidedProcess,
          attempt: 0,
          correctedEventId: 'the-completion',
          reason: 'recorded twice',
          organisationId: claimant,
          outputs: [{ batchId: id(92), massGrams: smallest.massGrams, producedEventId: 'the-output', expectedRevision: 0 }],
          inputs: [{ batchId: id(91), massGrams: smallest.massGrams, consumedEventId: 'the-consumption' }],
          occurredAt: '2026-03-01T10:00:00+01:00',
        },
      },
    ]);
    // A credit for a sorting, which reprocesses nothing.
    const sorting = id(94);
    await append(`process-${sorting}`, [
      { type: 'ProcessStarted', data: { processId: sorting, organisationId: claimant, processType: 'sorting', inputs: [voidedInput], externalInputs: [], outputs: [voidedOutput], losses: [], occurredAt: '2026-02-01T10:00:00+01:00' } },
      { type: 'ProcessCompleted', data: { processId: sorting } },
    ]);
    const sortedAccount = `${id(95)}-${PERIOD}`;
    const onSorting = claimed(id(10), smallest.batchId, 'rcs', 'mass-balance', 500, sortedAccount);
    await append(`mass-balance-account-${sortedAccount}`, [
      { type: 'MassBalanceCredited', data: { accountId: sortedAccount, organisationId: claimant, periodId: PERIOD, processId: sorting, processType: 'sorting', creditedGrams: smallest.massGrams, inputs: [{ batchId: id(91), recycledGrams: smallest.massGrams }], occurredAt: '2026-02-01T10:00:00+01:00' } },
      onSorting,
      { type: 'MassBalanceDebited', data: { accountId: sortedAccount, organisationId: claimant, periodId: PERIOD, claimId: id(10), batchId: smallest.batchId, debitedGrams: onSorting.data.claimedRecycledGrams, occurredAt: onSorting.data.occurredAt } },
    ]);
    await readLog();

    await certify('credit of a sorting', id(10));
    await certify('credit of a voided process', id(9));
    await certify('misrounded', id(7));
    await certify('inflated credit', id(8));
    await certify('physical', id(1));
    await certify('mass balance', id(2));
    await certify('overclaimed', id(3));
    await certify('below the standard', id(4));
    await certify('overdrawn', id(5));
    await certify('unbacked credit', id(6));
  }, 180_000);

  afterAll(async () => {
    await store?.close();
  });

  it('given a certificate of a physical claim, when it is verified, then every check passes, from the signatures to the claim against the batch’s own recycled share', async () => {
    const report = await verifyClaimCertificate(certificates.get('physical')!);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['checkpoint signature', 'order', 'hash chains', 'inclusion proofs', 'certificate signature', 'mass balance', 'subject', 'claim', 'provenance', 'standard', 'recycled share']);
    expect(report.certificate).toMatchObject({ batchId: physical.batchId, claim: { model: 'segregated', recycledContentBasisPoints: physical.basisPoints }, provenanceAtClaim: { recycledContentBasisPoints: physical.basisPoints }, account: null });
    expect(report.lineage!.length).toBeGreaterThan(0);
  });

  it('given a certificate of a mass-balance claim, when it is verified, then the account is folded from its stream, the debit is in it, and each credit is backed by its process', async () => {
    const report = await verifyClaimCertificate(certificates.get('mass balance')!);
    expect(report.failures).toEqual([]);
    expect(report.checks.map((c) => c.name).slice(-4)).toEqual(['provenance', 'standard', 'account', 'credits']);
    const account = report.certificate!.account!;
    expect(account.movements.at(-1)).toMatchObject({ kind: 'debit', claimId: id(2) });
    expect(account.balanceGrams).toBe(account.creditedGrams - account.debitedGrams);
    expect(account.lowestBalanceGrams).toBeGreaterThanOrEqual(0);
  });

  it('given the CLI, when it verifies a certificate, then it runs the same checks and the ledger’s provenance projection agrees with the certificate’s recompute', async () => {
    const text = certificates.get('physical')!;
    const cli = (await verifyAuditBundle(text)) as ClaimCertificateReport;
    const shared = await verifyEvidenceFile(text);
    expect(cli.checks.map((c) => c.name)).toEqual(shared.checks.map((c) => c.name));
    expect(cli.ok).toBe(true);
    expect(cli.provenance?.postConsumerGrams).toBeDefined();
  });

  it('given every batch of a generated ledger, when its provenance is recomputed from the events, then it equals the ledger’s provenance projection to the gram', async () => {
    const stored: StoredEvent[] = (await store.readAll({ maxCount: 100_000 })).filter((e) => e.position <= validUpTo);
    const db = openSqliteReadDb({ filename: ':memory:' });
    try {
      const projection = new ProvenanceProjection();
      await projection.migrate(db);
      await projection.load(db);
      for (const event of stored) projection.apply(toProjectedEvent(event));
      await db.transaction().execute((tx) => projection.flush(tx));
      const batches = new Set(log.flatMap((e) => ('batchId' in e.event.data && typeof e.event.data.batchId === 'string' && e.event.type.startsWith('Batch') ? [e.event.data.batchId] : [])));
      expect(batches.size).toBeGreaterThan(30);
      for (const batchId of batches) {
        const ledger = await provenance(db, batchId);
        const mine = provenanceOf(batchId, validUpTo);
        if (ledger === undefined) {
          expect(mine).toBeNull();
          continue;
        }
        expect({ batchId, mass: mine?.massGrams, cohorts: mine?.cohorts, bp: mine?.recycledContentBasisPoints }).toEqual({
          batchId,
          mass: ledger.massGrams,
          cohorts: ledger.cohorts.map((c) => ({ cohort: c.cohort, grams: c.grams })),
          bp: ledger.recycledContentBasisPoints,
        });
      }
    } finally {
      await db.destroy();
    }
  });

  const TAMPERINGS: ReadonlyArray<readonly [string, string, (text: string) => string, RegExp]> = [
    ['the claimed share raised by one basis point', 'physical', (t) => edit(t, (c) => void ((c.events.find((e) => e.type === 'RecycledContentClaimed')!.data.recycledContentBasisPoints as number) += 1)), /^hash chains: /],
    ['the claim event dropped', 'physical', (t) => edit(t, (c) => void c.events.splice(c.events.findIndex((e) => e.type === 'RecycledContentClaimed'), 1)), /^certificate signature: /],
    ['the subject pointed at another claim', 'physical', (t) => edit(t, (c) => void (c.subject.claimId = id(3))), /^certificate signature: /],
    ['the debit dropped from the account', 'mass balance', (t) => edit(t, (c) => void c.events.splice(c.events.findIndex((e) => e.type === 'MassBalanceDebited'), 1)), /^certificate signature: /],
    ['a credit enlarged', 'mass balance', (t) => edit(t, (c) => void ((c.events.find((e) => e.type === 'MassBalanceCredited')!.data.creditedGrams as number) += 1000)), /^hash chains: /],
    ['the certificate signature altered', 'physical', (t) => edit(t, (c) => void (c.certificateSignature = c.certificateSignature.slice(0, 10) + (c.certificateSignature[10] === 'A' ? 'B' : 'A') + c.certificateSignature.slice(11))), /^certificate signature: /],
    ['a space added after export', 'physical', (t) => `${t.slice(0, 1)} ${t.slice(1)}`, /^format: the certificate is not in canonical form from byte 1/],
  ];

  it.each(TAMPERINGS)('given a certificate with %s, when it is verified, then it fails and names what broke', async (_name, which, tamper, firstFailure) => {
    const report = await verifyClaimCertificate(tamper(certificates.get(which)!));
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatch(firstFailure);
  });

  it('given any one byte of a certificate changed, when it is verified, then it fails', async () => {
    const text = certificates.get('mass balance')!;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0x20, max: 0x7e }), async (at, code) => {
        fc.pre(text.charCodeAt(at) !== code);
        const changed = text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
        expect((await verifyEvidenceFile(changed)).ok).toBe(false);
      }),
      { numRuns: 40, seed: 45 },
    );
  });

  it.each([
    ['overclaimed', /^recycled share: a identity-preserved claim of /],
    ['below the standard', /^standard: rcs-100 needs at least 95.00 %/],
    ['overdrawn', /^account: the balance fell to -/],
    ['unbacked credit', /^credits: credit of .* its process is not in the certificate$/],
    ['misrounded', /^claim: claims .* but 20\.01 % of .* \(rounded up\)$/],
    ['inflated credit', /^credits: credit of .* an input is credited with more recycled grams than the process took of it/],
    ['credit of a voided process', /^credits: credit of .* its process was voided and the credit was not taken back$/],
    ['credit of a sorting', /^credits: credit of .* a sorting process reprocesses nothing and earns no credit$/],
  ])('given a signed certificate of a %s claim the ledger would refuse, when it is verified, then its recompute fails it', async (which, failure) => {
    const report = await verifyClaimCertificate(certificates.get(which)!);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toHaveLength(1);
    expect(report.failures[0]).toMatch(failure);
  });

  it('given an evidence bundle or a certificate, when either is verified as a file, then the format decides which checks run', async () => {
    const certificate = await verifyEvidenceFile(certificates.get('physical')!);
    expect(certificate.checks.some((c) => c.name === 'certificate signature')).toBe(true);
    expect((await verifyEvidenceFile('{"format":')).failures).toEqual(['format: the bundle is not valid JSON']);
  });
});
