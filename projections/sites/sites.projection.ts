import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, insertIgnoreRows, textType, utcInstant, withoutRowid, type SqlRow, type TableDef } from '../runner/sql-rows.js';

/**
 * Sites and their mass balance (docs/decisions/039-sites-and-ads-export.md).
 *
 * - `site`: every declared site, as last amended, open or closed.
 * - `site_movement`: the inventory projection's movements, for batches held at a site, with the
 *   site. A site balances like an organisation: opening + collected + registered + received +
 *   produced + adjustment = dispatched + consumed + outcome + closing (outflows stored negative).
 * - `site_intake`: one row per batch a site took in (collected, registered or received there), with
 *   how it was measured and what first became of it there (`treatment`: a process type, an outcome,
 *   or a dispatch), and when. The ADS export groups these rows; the codes are mapped at query time.
 * - `site_holding`: the batches held at a site now (and those consumed there, so a void can restore them).
 * - `site_batch_origin`: the kommune of batches that arose at a site (registered there, produced
 *   there), for the export's origin column; collected batches carry their own kommune.
 *
 * Only batches at a site are followed, so a ledger without sites costs this projection nothing but
 * the reading. Movements follow the batch: they are booked at the site that holds it.
 */
export type SiteRow = {
  site_id: string;
  organisation_id: string;
  name: string;
  address: string;
  kommune_code: string;
  p_number: string | null;
  latitude: number | null;
  longitude: number | null;
  open: number;
  declared_at: string;
  closed_at: string | null;
  declared_position: number;
};

export type SiteMovementRow = {
  position: number;
  seq: number;
  site_id: string;
  batch_id: string;
  kind: string;
  grams: number;
  occurred_at: string;
  reference: string | null;
};

export type SiteIntakeRow = {
  position: number;
  site_id: string;
  organisation_id: string;
  batch_id: string;
  kind: 'collected' | 'registered' | 'received';
  grams: number;
  occurred_at: string;
  measurement: string;
  treatment: string | null;
  treated_at: string | null;
  treatment_reference: string | null;
};

export type SiteHoldingRow = {
  batch_id: string;
  site_id: string;
  mass_grams: number;
  transfer_id: string | null;
  dispatched_mass_grams: number | null;
  intake_position: number | null;
  /** Set while the batch is consumed by a process at the site (a void restores it). */
  consumed_by: string | null;
};

export type SiteBatchOriginRow = { batch_id: string; kommune_code: string };

export type SiteTables = {
  site: SiteRow;
  site_movement: SiteMovementRow;
  site_intake: SiteIntakeRow;
  site_holding: SiteHoldingRow;
  site_batch_origin: SiteBatchOriginRow;
};

export const SITE_TABLE: TableDef = {
  name: 'site',
  columns: ['site_id', 'organisation_id', 'name', 'address', 'kommune_code', 'p_number', 'latitude', 'longitude', 'open', 'declared_at', 'closed_at', 'declared_position'],
  primaryKey: ['site_id'],
};
export const SITE_MOVEMENT_TABLE: TableDef = {
  name: 'site_movement',
  columns: ['position', 'seq', 'site_id', 'batch_id', 'kind', 'grams', 'occurred_at', 'reference'],
  primaryKey: ['position', 'seq'],
};
export const SITE_INTAKE_TABLE: TableDef = {
  name: 'site_intake',
  columns: ['position', 'site_id', 'organisation_id', 'batch_id', 'kind', 'grams', 'occurred_at', 'measurement', 'treatment', 'treated_at', 'treatment_reference'],
  primaryKey: ['position'],
};
export const SITE_HOLDING_TABLE: TableDef = {
  name: 'site_holding',
  columns: ['batch_id', 'site_id', 'mass_grams', 'transfer_id', 'dispatched_mass_grams', 'intake_position', 'consumed_by'],
  primaryKey: ['batch_id'],
};
export const SITE_BATCH_ORIGIN_TABLE: TableDef = { name: 'site_batch_origin', columns: ['batch_id', 'kommune_code'], primaryKey: ['batch_id'] };

const OUTCOME_TREATMENT: Readonly<Record<string, string>> = {
  BatchSoldForReuse: 'outcome:sold-for-reuse',
  BatchLandfilled: 'outcome:landfilled',
  BatchExported: 'outcome:exported',
  ProductPlacedOnMarket: 'outcome:placed-on-market',
};

interface SiteFacts {
  readonly organisationId: string;
  readonly kommuneCode: string;
}

export class SitesProjection extends BaseProjection {
  readonly name = 'sites';
  readonly version = 1;
  private readonly gate = new ProcessGate('sites');
  readonly tables = [SITE_TABLE.name, SITE_MOVEMENT_TABLE.name, SITE_INTAKE_TABLE.name, SITE_HOLDING_TABLE.name, SITE_BATCH_ORIGIN_TABLE.name, this.gate.table] as const;
  private readonly sites = new Map<string, SiteRow>();
  private readonly holdings = new Map<string, SiteHoldingRow>();
  /** Intakes whose batch is still held (or consumed) at the site: their treatment may still be set or undone. */
  private readonly intakes = new Map<number, SiteIntakeRow>();
  private readonly siteRows = new RowBuffer(SITE_TABLE);
  private readonly holdingRows = new RowBuffer(SITE_HOLDING_TABLE);
  private readonly intakeRows = new RowBuffer(SITE_INTAKE_TABLE);
  private movements: SqlRow[] = [];
  private origins: SqlRow[] = [];
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<SiteTables>().schema;
    const text = textType(db);
    await schema
      .createTable(SITE_TABLE.name)
      .ifNotExists()
      .addColumn('site_id', text, (c) => c.primaryKey())
      .addColumn('organisation_id', text, (c) => c.notNull())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('address', text, (c) => c.notNull())
      .addColumn('kommune_code', text, (c) => c.notNull())
      .addColumn('p_number', text)
      .addColumn('latitude', 'double precision')
      .addColumn('longitude', 'double precision')
      .addColumn('open', 'integer', (c) => c.notNull())
      .addColumn('declared_at', text, (c) => c.notNull())
      .addColumn('closed_at', text)
      .addColumn('declared_position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('site_org').ifNotExists().on(SITE_TABLE.name).columns(['organisation_id']).execute();
    await schema.createIndex('site_p_number').ifNotExists().on(SITE_TABLE.name).columns(['p_number']).execute();
    const movements = schema
      .createTable(SITE_MOVEMENT_TABLE.name)
      .ifNotExists()
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('site_id', text, (c) => c.notNull())
      .addColumn('batch_id', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('grams', 'bigint', (c) => c.notNull())
      .addColumn('occurred_at', text, (c) => c.notNull())
      .addColumn('reference', text)
      .addPrimaryKeyConstraint('site_movement_pk', ['position', 'seq']);
    await withoutRowid(db, movements).execute();
    await schema.createIndex('site_movement_site_time').ifNotExists().on(SITE_MOVEMENT_TABLE.name).columns(['site_id', 'occurred_at']).execute();
    await schema
      .createTable(SITE_INTAKE_TABLE.name)
      .ifNotExists()
      .addColumn('position', 'bigint', (c) => c.primaryKey())
      .addColumn('site_id', text, (c) => c.notNull())
      .addColumn('organisation_id', text, (c) => c.notNull())
      .addColumn('batch_id', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('grams', 'bigint', (c) => c.notNull())
      .addColumn('occurred_at', text, (c) => c.notNull())
      .addColumn('measurement', text, (c) => c.notNull())
      .addColumn('treatment', text)
      .addColumn('treated_at', text)
      .addColumn('treatment_reference', text)
      .execute();
    await schema.createIndex('site_intake_site_time').ifNotExists().on(SITE_INTAKE_TABLE.name).columns(['site_id', 'occurred_at']).execute();
    await schema
      .createTable(SITE_HOLDING_TABLE.name)
      .ifNotExists()
      .addColumn('batch_id', text, (c) => c.primaryKey())
      .addColumn('site_id', text, (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('transfer_id', text)
      .addColumn('dispatched_mass_grams', 'bigint')
      .addColumn('intake_position', 'bigint')
      .addColumn('consumed_by', text)
      .execute();
    await schema
      .createTable(SITE_BATCH_ORIGIN_TABLE.name)
      .ifNotExists()
      .addColumn('batch_id', text, (c) => c.primaryKey())
      .addColumn('kommune_code', text, (c) => c.notNull())
      .execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const tables = db.withTables<SiteTables>();
    for (const row of await tables.selectFrom('site').selectAll().execute()) {
      this.sites.set(row.site_id, { ...row, open: Number(row.open), declared_position: Number(row.declared_position) });
    }
    for (const row of await tables.selectFrom('site_holding').selectAll().execute()) {
      this.holdings.set(row.batch_id, {
        ...row,
        mass_grams: Number(row.mass_grams),
        dispatched_mass_grams: row.dispatched_mass_grams === null ? null : Number(row.dispatched_mass_grams),
        intake_position: row.intake_position === null ? null : Number(row.intake_position),
      });
    }
    const positions = [...this.holdings.values()].map((h) => h.intake_position).filter((p): p is number => p !== null);
    for (let start = 0; start < positions.length; start += 500) {
      const rows = await tables.selectFrom('site_intake').selectAll().where('position', 'in', positions.slice(start, start + 500)).execute();
      for (const row of rows) this.intakes.set(Number(row.position), { ...row, position: Number(row.position), grams: Number(row.grams) });
    }
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.sites.clear();
    this.holdings.clear();
    this.intakes.clear();
    this.siteRows.clear();
    this.holdingRows.clear();
    this.intakeRows.clear();
    this.movements = [];
    this.origins = [];
    this.gate.reset();
  }

  protected fold(event: ProjectedEvent): void {
    this.gate.route(event, this.sink);
  }

  private site(siteId: string | undefined): SiteFacts | undefined {
    if (siteId === undefined) return undefined;
    const row = this.sites.get(siteId);
    return row && { organisationId: row.organisation_id, kommuneCode: row.kommune_code };
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event, position } = projected;
    let seq = 0;
    const move = (siteId: string, batchId: string, kind: string, grams: number, occurredAt: string, reference: string | null): void => {
      if (grams === 0 && kind === 'adjustment') return;
      this.movements.push({ position, seq: seq++, site_id: siteId, batch_id: batchId, kind, grams, occurred_at: occurredAt, reference });
    };
    const intake = (siteId: string, organisationId: string, batchId: string, kind: SiteIntakeRow['kind'], grams: number, at: string, measurement: string | undefined): void => {
      move(siteId, batchId, kind, grams, at, null);
      this.putIntake({
        position,
        site_id: siteId,
        organisation_id: organisationId,
        batch_id: batchId,
        kind,
        grams,
        occurred_at: at,
        measurement: measurement ?? 'weighed',
        treatment: null,
        treated_at: null,
        treatment_reference: null,
      });
      this.hold({ batch_id: batchId, site_id: siteId, mass_grams: grams, transfer_id: null, dispatched_mass_grams: null, intake_position: position, consumed_by: null });
    };

    switch (event.type) {
      case 'SiteDeclared':
      case 'SiteAmended': {
        const e = event.data;
        const known = this.sites.get(e.siteId);
        if (event.type === 'SiteAmended' && !known) return;
        this.putSite({
          site_id: e.siteId,
          organisation_id: e.organisationId,
          name: e.name,
          address: e.address,
          kommune_code: e.kommuneCode,
          p_number: e.pNumber ?? null,
          latitude: e.latitude ?? null,
          longitude: e.longitude ?? null,
          open: known?.open ?? 1,
          declared_at: known?.declared_at ?? utcInstant(e.occurredAt),
          closed_at: known?.closed_at ?? null,
          declared_position: known?.declared_position ?? position,
        });
        return;
      }
      case 'SiteClosed': {
        const known = this.sites.get(event.data.siteId);
        if (known) this.putSite({ ...known, open: bit(false), closed_at: utcInstant(event.data.occurredAt) });
        return;
      }
      case 'BatchCollected': {
        const e = event.data;
        const site = this.site(e.siteId);
        if (e.siteId === undefined || !site) return;
        intake(e.siteId, e.collectorOrgId, e.batchId, 'collected', e.massGrams, utcInstant(e.occurredAt), e.measurement);
        return;
      }
      case 'ResidualBatchRegistered': {
        const e = event.data;
        const site = this.site(e.siteId);
        if (e.siteId === undefined || !site) return;
        intake(e.siteId, e.organisationId, e.batchId, 'registered', e.massGrams, utcInstant(e.occurredAt), e.measurement);
        this.origins.push({ batch_id: e.batchId, kommune_code: site.kommuneCode });
        return;
      }
      case 'BatchProduced': {
        const e = event.data;
        const siteId = process?.started.siteId;
        const site = this.site(siteId);
        if (siteId === undefined || !site || process === undefined) return;
        move(siteId, e.batchId, 'produced', e.massGrams, utcInstant(process.started.occurredAt), e.processId);
        this.hold({ batch_id: e.batchId, site_id: siteId, mass_grams: e.massGrams, transfer_id: null, dispatched_mass_grams: null, intake_position: null, consumed_by: null });
        this.origins.push({ batch_id: e.batchId, kommune_code: site.kommuneCode });
        return;
      }
      case 'CustodyTransferDispatched': {
        const e = event.data;
        const holding = this.heldAtSite(e.batchId);
        if (!holding) return;
        const at = utcInstant(e.occurredAt);
        move(holding.site_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, at, e.transferId);
        move(holding.site_id, e.batchId, 'dispatched', -e.massGrams, at, e.transferId);
        this.hold({ ...holding, transfer_id: e.transferId, dispatched_mass_grams: e.massGrams });
        this.treat(holding, 'dispatched', at, e.transferId);
        return;
      }
      case 'CustodyTransferCancelled': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding || holding.transfer_id !== e.transferId || holding.dispatched_mass_grams === null) return;
        const at = utcInstant(e.occurredAt);
        move(holding.site_id, e.batchId, 'dispatched', holding.dispatched_mass_grams, at, e.transferId);
        move(holding.site_id, e.batchId, 'adjustment', holding.mass_grams - holding.dispatched_mass_grams, at, e.transferId);
        this.hold({ ...holding, transfer_id: null, dispatched_mass_grams: null });
        this.untreat(holding, e.transferId);
        return;
      }
      case 'CustodyTransferReceived': {
        const e = event.data;
        // The sender's site booked the dispatch already; the batch has left it for good.
        const sender = this.holdings.get(e.batchId);
        if (sender && sender.transfer_id === e.transferId) this.release(e.batchId);
        const site = this.site(e.siteId);
        if (e.siteId === undefined || !site) return;
        intake(e.siteId, site.organisationId, e.batchId, 'received', e.receivedMassGrams, utcInstant(e.occurredAt), e.measurement);
        return;
      }
      case 'BatchMassCorrected': {
        const e = event.data;
        const holding = this.heldAtSite(e.batchId);
        if (!holding) return;
        move(holding.site_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, utcInstant(e.occurredAt), projected.eventId);
        this.hold({ ...holding, mass_grams: e.massGrams });
        return;
      }
      case 'BatchConsumed': {
        const e = event.data;
        const holding = this.heldAtSite(e.batchId);
        if (!holding || process === undefined) return;
        const at = utcInstant(process.started.occurredAt);
        move(holding.site_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, at, e.processId);
        move(holding.site_id, e.batchId, 'consumed', -e.massGrams, at, e.processId);
        this.hold({ ...holding, mass_grams: e.massGrams, consumed_by: e.processId });
        this.treat(holding, `process:${process.started.processType}`, at, e.processId);
        return;
      }
      case 'ProcessVoided': {
        const e = event.data;
        const at = utcInstant(e.processOccurredAt);
        for (const output of e.outputs) {
          const holding = this.heldAtSite(output.batchId);
          if (!holding) continue;
          move(holding.site_id, output.batchId, 'produced', -output.massGrams, at, e.processId);
          this.release(output.batchId);
        }
        for (const input of e.inputs) {
          const holding = this.holdings.get(input.batchId);
          if (!holding || holding.consumed_by !== e.processId) continue;
          move(holding.site_id, input.batchId, 'consumed', input.massGrams, at, e.processId);
          this.hold({ ...holding, mass_grams: input.massGrams, consumed_by: null });
          this.untreat(holding, e.processId);
        }
        return;
      }
      case 'BatchConsumptionReverted':
      case 'ProcessCompleted':
        return;
      default: {
        const treatment =
          event.type === 'BatchIncinerated'
            ? event.data.energyRecovery
              ? 'outcome:incinerated-with-energy-recovery'
              : 'outcome:incinerated-without-energy-recovery'
            : OUTCOME_TREATMENT[event.type];
        if (treatment === undefined) return;
        const data = event.data as { batchId: string; occurredAt: string };
        const holding = this.heldAtSite(data.batchId);
        if (!holding) return;
        const at = utcInstant(data.occurredAt);
        move(holding.site_id, data.batchId, 'outcome', -holding.mass_grams, at, event.type);
        this.treat(holding, treatment, at, event.type);
        this.release(data.batchId);
      }
    }
  }

  /** A batch at a site, neither consumed nor on its way out. */
  private heldAtSite(batchId: string): SiteHoldingRow | undefined {
    const holding = this.holdings.get(batchId);
    return holding && holding.consumed_by === null ? holding : undefined;
  }

  /** The first thing that became of an intake at its site is its treatment. */
  private treat(holding: SiteHoldingRow, treatment: string, at: string, reference: string): void {
    const row = holding.intake_position === null ? undefined : this.intakes.get(holding.intake_position);
    if (!row || row.treatment !== null) return;
    this.putIntake({ ...row, treatment, treated_at: at, treatment_reference: reference });
  }

  /** A cancelled dispatch or a voided process undoes the treatment it gave. */
  private untreat(holding: SiteHoldingRow, reference: string): void {
    const row = holding.intake_position === null ? undefined : this.intakes.get(holding.intake_position);
    if (!row || row.treatment_reference !== reference) return;
    this.putIntake({ ...row, treatment: null, treated_at: null, treatment_reference: null });
  }

  private putSite(row: SiteRow): void {
    this.sites.set(row.site_id, row);
    this.siteRows.put(row.site_id, row);
  }

  private putIntake(row: SiteIntakeRow): void {
    this.intakes.set(row.position, row);
    this.intakeRows.put(String(row.position), row);
  }

  private hold(holding: SiteHoldingRow): void {
    const previous = this.holdings.get(holding.batch_id);
    // A batch taken in again (sent away and back) follows its new intake; the old one is final.
    if (previous && previous.intake_position !== null && previous.intake_position !== holding.intake_position) this.intakes.delete(previous.intake_position);
    this.holdings.set(holding.batch_id, holding);
    this.holdingRows.put(holding.batch_id, holding);
  }

  private release(batchId: string): void {
    const holding = this.holdings.get(batchId);
    if (holding?.intake_position !== null && holding?.intake_position !== undefined) this.intakes.delete(holding.intake_position);
    this.holdings.delete(batchId);
    this.holdingRows.remove(batchId, batchId);
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.siteRows.flush(tx);
    await this.intakeRows.flush(tx);
    await this.holdingRows.flush(tx);
    if (this.movements.length > 0) {
      const rows = this.movements;
      this.movements = [];
      await insertIgnoreRows(tx, SITE_MOVEMENT_TABLE, rows);
    }
    if (this.origins.length > 0) {
      const rows = this.origins;
      this.origins = [];
      await insertIgnoreRows(tx, SITE_BATCH_ORIGIN_TABLE, rows);
    }
    await this.gate.flush(tx);
  }
}
