import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClaimCertificateReport } from '#audit-evidence';
import { verifyAuditBundle } from '../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { COTTON_POLY } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/apps/ledger-cli/src/ledger.command.js');

async function ledgerCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env }, cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** One character of the file changed for another printable one. */
const oneByteChanged = (text: string, at: number): string => text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1);

/**
 * Claim certificates (decision 045): the API serves a signed, self-contained certificate of a claim
 * to whoever may see the claim; the CLI writes the same format from the event log; `ledger audit
 * verify` checks either offline in a fresh process with no store, and a one-byte change fails.
 */
describe('claim certificates, served by the API and the CLI and verified offline', () => {
  let ledger: LedgerHarness;
  let recycler: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let auditorDir: string;
  let output: string;
  const physicalClaim = randomUUID();
  const massBalanceClaim = randomUUID();

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    auditorDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-certificate-auditor-'));
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler', 'collector']);
    outsider = await ledger.registerOrganisation('Brand A/S', ['brand']);
    auditor = await ledger.registerOrganisation('Revision A/S', ['auditor']);
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), recycler.id);
    const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 60_000 }, recycler.key);
    expect(collected.status).toBe(201);
    // 100 kg of fibre: 60 kg collected textile, 40 kg virgin polyester, so 60 % recycled.
    const processed = await ledger.post<{ outputBatchIds: string[] }>(
      '/processes',
      {
        processType: 'mechanical-recycling',
        inputs: [{ batchId: collected.body.batchId }],
        externalInputs: [{ description: 'virgin polyester', massGrams: 40_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
        outputs: [{ massGrams: 100_000, grade: 'fibre', composition: COTTON_POLY }],
      },
      recycler.key,
    );
    expect(processed.status).toBe(201);
    output = processed.body.outputBatchIds[0]!;
    const claims = [
      { claimId: physicalClaim, batchId: output, standard: 'grs-label', model: 'segregated', recycledContentBasisPoints: 6_000 },
      { claimId: massBalanceClaim, batchId: output, standard: 'grs', model: 'mass-balance', recycledContentBasisPoints: 3_000 },
    ];
    for (const body of claims) expect((await ledger.post('/claims', body, recycler.key)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
    rmSync(auditorDir, { recursive: true, force: true });
  }, 60_000);

  /** The raw bytes as served: the verifier holds every one of them to the canonical form. */
  const certificate = async (claimId: string, key = recycler.key) => {
    const response = await ledger.app.inject({ method: 'GET', url: `/claims/${claimId}/certificate`, headers: { authorization: `Bearer ${key}` } });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  };
  const text = (body: string): string => body;

  it('serves the certificate of a physical claim, and it verifies: the batch’s recycled share recomputed from the events inside', async () => {
    const served = await certificate(physicalClaim);
    expect(served.status).toBe(200);
    expect(String(served.headers['content-type'])).toContain('application/json');
    expect(String(served.headers['content-disposition'])).toBe(`attachment; filename="claim-certificate-${physicalClaim}.json"`);
    const report = (await verifyAuditBundle(text(served.body))) as ClaimCertificateReport;
    expect(report.failures).toEqual([]);
    expect(report.certificate).toMatchObject({
      claim: { standard: 'grs-label', model: 'segregated', recycledContentBasisPoints: 6_000, claimedRecycledGrams: 60_000 },
      minimumBasisPoints: 5_000,
      provenanceAtClaim: { massGrams: 100_000, recycledGrams: 60_000, virginGrams: 40_000, recycledContentBasisPoints: 6_000 },
    });
    expect(report.provenance).toMatchObject({ postConsumerGrams: 60_000, virginGrams: 40_000 });
  });

  it('serves the certificate of a mass-balance claim with the account and the process behind its credit, and it verifies', async () => {
    const served = await certificate(massBalanceClaim);
    expect(served.status).toBe(200);
    const report = (await verifyAuditBundle(text(served.body))) as ClaimCertificateReport;
    expect(report.failures).toEqual([]);
    expect(report.certificate!.account).toMatchObject({ creditedGrams: 60_000, debitedGrams: 30_000, balanceGrams: 30_000, lowestBalanceGrams: 0 });
    expect(report.checks.map((c) => c.name).slice(-2)).toEqual(['account', 'credits']);
  });

  it('answers 404 to an organisation that may not see the claim, and to an unknown claim; an auditor gets the certificate', async () => {
    const hidden = await certificate(physicalClaim, outsider.key);
    expect([hidden.status, (JSON.parse(hidden.body) as { code?: string }).code]).toEqual([404, 'unknown-claim']);
    expect((await certificate(randomUUID())).status).toBe(404);
    expect((await certificate('not-a-uuid')).status).toBe(400);
    expect((await certificate(physicalClaim, auditor.key)).status).toBe(200);
  });

  it('writes a certificate with the CLI from the event log, which verifies in a fresh process with no store; one byte changed fails', async () => {
    const file = path.join(auditorDir, 'mass-balance.certificate.json');
    const exported = await ledgerCli(['audit', 'certificate', massBalanceClaim, '--out', file], { LEDGER_DATA_DIR: ledger.dataDir }, root);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ command: 'audit certificate', claimId: massBalanceClaim, batchId: output });

    const verified = await ledgerCli(['audit', 'verify', file], {}, auditorDir);
    expect(verified.stdout).toContain(`Claim certificate ${file}: claim ${massBalanceClaim}`);
    expect(verified.stdout).toContain('Claim: 30.00 % recycled content (30.000 kg of 100.000 kg) under grs (at least 20.00 %), mass-balance');
    expect(verified.stdout).toMatch(/Mass-balance account .*: credited 60\.000 kg, reversed 0\.000 kg, debited 30\.000 kg, balance 30\.000 kg/);
    expect(verified.stdout).toContain('Result: VERIFIED');
    expect(verified.code).toBe(0);

    const original = readFileSync(file, 'utf8');
    const tampered = path.join(auditorDir, 'tampered.certificate.json');
    writeFileSync(tampered, oneByteChanged(original, original.indexOf('"recycledContentBasisPoints":3000') + '"recycledContentBasisPoints":'.length));
    const failed = await ledgerCli(['audit', 'verify', tampered], {}, auditorDir);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Result: FAILED: hash chains: event at position \d+ \(mass-balance-account-/);
  }, 60_000);

  it('verifies the API’s certificate with the CLI too: both write the one format', async () => {
    const file = path.join(auditorDir, 'physical.certificate.json');
    writeFileSync(file, text((await certificate(physicalClaim)).body));
    const verified = await ledgerCli(['audit', 'verify', '--json', file], {}, auditorDir);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, certificate: { claimId: physicalClaim, claim: { model: 'segregated' } } });
  }, 60_000);
  it('issues the certificate to the claimant, not to a buyer who may see the claim: the file carries other firms’ upstream events whole', async () => {
    // Given: the claimed batch shipped to a buyer, who then holds it and sees its claims.
    const buyer = await ledger.registerOrganisation('Pude ApS', ['manufacturer']);
    expect((await ledger.post(`/batches/${output}/dispatch`, { toOrgId: buyer.id }, recycler.key)).status).toBe(200);
    expect((await ledger.post(`/batches/${output}/receive`, { receivedMassGrams: 100_000 }, buyer.key)).status).toBe(200);
    const seen = await ledger.app.inject({ method: 'GET', url: `/claims/${physicalClaim}`, headers: { authorization: `Bearer ${buyer.key}` } });
    expect(seen.statusCode).toBe(200);
    // When the buyer asks for the certificate, then it is refused as if there were none; the claimant still gets it.
    const refused = await certificate(physicalClaim, buyer.key);
    expect([refused.status, (JSON.parse(refused.body) as { code?: string }).code]).toEqual([404, 'unknown-claim']);
    expect((await certificate(physicalClaim)).status).toBe(200);
  }, 60_000);
});
