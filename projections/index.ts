/**
 * The read side: the projection runner, the Projection contract, every read model and its queries.
 * The API wraps the query functions with its QueryBus; the CLI and benchmarks use them directly.
 */
import { AnomaliesProjection } from './anomalies/anomalies.projection.js';
import { AuditLogProjection } from './audit-log/audit-log.projection.js';
import { BatchHistoryProjection } from './batch-history/batch-history.projection.js';
import { BatchSummaryProjection } from './batch-summary/batch-summary.projection.js';
import { CircularityProjection } from './circularity/circularity.projection.js';
import { CustodyProjection } from './custody/custody.projection.js';
import { InventoryProjection } from './inventory/inventory.projection.js';
import { LineageProjection } from './lineage/lineage.projection.js';
import { MunicipalFlowsProjection } from './municipal-flows/municipal-flows.projection.js';
import { MunicipalReportProjection } from './municipal-report/municipal-report.projection.js';
import { OrganisationsProjection } from './organisations/organisations.projection.js';
import { ProcessesProjection } from './processes/processes.projection.js';
import { ProvenanceProjection } from './provenance/provenance.projection.js';
import { SitesProjection } from './sites/sites.projection.js';
import { ProgrammesProjection } from './programmes/programmes.projection.js';
import { EmissionFactorsProjection } from './emission-factors/emission-factors.projection.js';
import { CatalogueProjection } from './catalogue/catalogue.projection.js';
import { ProgrammeImpactProjection } from './programme-impact/programme-impact.projection.js';
import { ClaimsProjection } from './claims/claims.projection.js';
import type { Projection } from './runner/projection.js';

// ---- runner and the Projection contract ----
export type { ProjectedEvent, Projection, ReadDb, ReadTx } from './runner/projection.js';
export { ProjectionEngine, type ProjectionHealth } from './runner/projection-engine.js';
export { PositionWaiters, ProjectionRunnerClosedError, WaitForPositionTimeoutError } from './runner/position-waiters.js';
export {
  describeFailureReport,
  ProjectionFailure,
  type FailedEvent,
  type ProjectionFailureReport,
  type ProjectionFailureStage,
} from './runner/projection-failure.js';
export {
  ProjectionRunner,
  toProjectedEvent,
  type ProjectionChecksum,
  type ProjectionRunnerLog,
  type ProjectionRunnerOptions,
  type RebuildOptions,
  type RebuildResult,
} from './runner/projection-runner.js';
export { BaseProjection } from './runner/base-projection.js';
export { ProcessGate, type GatedSink, type ProcessContext } from './runner/process-gate.js';
export { CHECKPOINT_TABLE, CheckpointRegressionError, readCheckpoint, readCheckpoints } from './runner/checkpoint.js';
export { withReadModelMigrationLock } from './runner/migration-lock.js';
export { NotProjectionWriterError, ProjectionWriterFencedError, WriterLease, WRITER_LEASE_TABLE, type WriterLeaseState } from './runner/writer-lease.js';

// ---- core read models (docs/domain.md, 5.8) ----
export { OrganisationsProjection, type ApiKeyRow, type CollectorAuthorisationRow, type OrganisationRow, type OrganisationTables } from './organisations/organisations.projection.js';
export { findApiKeyByHash, findOrganisationByKeyHash, getOrganisation, listApiKeys, listOrganisations, type ApiKeyOwner, type ApiKeyView, type Organisation } from './organisations/organisations.queries.js';
export { authorisedCollectorsByKommune, isCollectorAuthorised, listCollectorAuthorisations, type CollectorAuthorisationView } from './organisations/organisations.queries.js';

export { BatchSummaryProjection, BATCH_SUMMARY_TABLE, type BatchSummaryRow, type BatchSummaryTables } from './batch-summary/batch-summary.projection.js';
export {
  getBatch,
  listBatches,
  toBatchSummary,
  type BatchPage,
  type BatchStamp,
  type BatchSummary,
  type BatchSummaryOrigin,
  type ListBatchesFilter,
} from './batch-summary/batch-summary.queries.js';

export { BatchHistoryProjection, BATCH_HISTORY_TABLE, type BatchHistoryRow, type BatchHistoryTables } from './batch-history/batch-history.projection.js';
export { history, type BatchHistory, type HistoryAsOf, type HistoryAxis, type HistoryEvent } from './batch-history/batch-history.queries.js';

export { LineageProjection, LINEAGE_EDGE_TABLE, type LineageEdgeRow, type LineageTables } from './lineage/lineage.projection.js';
export { downstream, upstream, type LineageEdge, type LineageGraph, type LineageNode } from './lineage/lineage.queries.js';

export { CustodyProjection, CUSTODY_PERIOD_TABLE, type CustodyEnd, type CustodyPeriodRow, type CustodyStart, type CustodyTables } from './custody/custody.projection.js';
export { custodyTimeline, shipmentsOf, timeline, type CustodyPeriod, type CustodyShipment, type CustodyTimeline, type OrganisationShipment, type ShipmentPage, type ShipmentQuery } from './custody/custody.queries.js';

export {
  InventoryProjection,
  BALANCE_KINDS,
  INFORMATIONAL_KINDS,
  type InventoryHoldingRow,
  type InventoryMovementRow,
  type InventoryTables,
  type MovementKind,
} from './inventory/inventory.projection.js';
export { currentStock, inventory, type CurrentStock, type GradeStock, type Inventory, type InventoryPeriod, type InventoryReport } from './inventory/inventory.queries.js';

// ---- access: who may see which batch (docs/security.md) ----
export { batchesDerivedFromKommune, historyVisibleTo, isBatchVisible, lineageVisibleTo, visibleBatches, type VisibleHistoryEvent, type WithheldSummary } from './access/access.queries.js';

// ---- audit: the Merkle tree over the global log, for proofs and checkpoints (decision 010) ----
export { AuditLogProjection, AUDIT_LOG_LEAF_TABLE, AUDIT_LOG_NODE_TABLE, type AuditLogLeafRow, type AuditLogNodeRow, type AuditLogTables } from './audit-log/audit-log.projection.js';
export {
  auditNodeSource,
  auditRoot,
  auditTreeHead,
  consistencyProofBetween,
  inclusionProofAt,
  leafAtIndex,
  leafAtPosition,
  leavesAtPositions,
  proofOf,
  type AuditLeaf,
  type AuditTreeHead,
  type InclusionProofView,
} from './audit-log/audit-log.queries.js';

// ---- anomalies for the auditor (decision 012) ----
export { AnomaliesProjection, ANOMALY_PROCESS_TABLE, ANOMALY_TRANSFER_TABLE, type AnomalyProcessRow, type AnomalyTables, type AnomalyTransferRow } from './anomalies/anomalies.projection.js';
export {
  anomalies,
  ANOMALY_KINDS,
  DEFAULT_ANOMALY_SETTINGS,
  DEFAULT_CUSTODY_GAP_HOURS,
  DEFAULT_LOSS_NORMS_BASIS_POINTS,
  DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES,
  type Anomaly,
  type AnomalyFilter,
  type AnomalyKind,
  type AnomalyPage,
  type AnomalySettings,
  type CustodyGap,
  type EventRef,
  type ProcessLossAnomaly,
  type TransitDiscrepancy,
  type UnfinishedProcess,
} from './anomalies/anomalies.queries.js';

// ---- processes (started / completed / rejected; what recovery must finish) ----
export { ProcessesProjection, type ProcessRow, type ProcessTables } from './processes/processes.projection.js';
export { getProcess, needsVoidDriver, processesOf, unfinishedProcesses, type ProcessListItem, type ProcessListPage, type ProcessListQuery, type ProcessView, type ProcessVoidView } from './processes/processes.queries.js';

// ---- provenance, circularity, municipal report (docs/domain.md) ----
export { ProvenanceProjection } from './provenance/provenance.projection.js';
export { provenance, provenanceWeighingDifferences, type CohortGrams, type ProvenanceView, type WeighingDifference } from './provenance/provenance.queries.js';
export { CircularityProjection, BUCKETS, BUCKET_LABELS, type Bucket } from './circularity/circularity.projection.js';
export { circularity, circularityRates, type CircularityPeriod, type CircularityQuery, type CircularityRow, type RateName } from './circularity/circularity.queries.js';
export { MunicipalReportProjection } from './municipal-report/municipal-report.projection.js';
export { municipalReport, municipalReportCsv, type CollectedLine, type MassFigure, type MunicipalReport } from './municipal-report/municipal-report.queries.js';
export { municipalReportCsvWithParties, type MunicipalParties, type MunicipalParty } from './municipal-report/municipal-report.queries.js';
export { nationalReport, nationalReportCsv, type NationalKommuneRow, type NationalReport } from './municipal-report/national-report.queries.js';
export { RATE_DEFINITIONS } from './municipal-report/rate-definitions.js';
export { MunicipalFlowsProjection, NOT_SORTED, SORTING_LOSS } from './municipal-flows/municipal-flows.projection.js';
export { municipalFlows, type CollectorFlow, type FateFlow, type GradeFlow, type MunicipalFlows, type SorterFlow } from './municipal-flows/municipal-flows.queries.js';

// ---- sites and their mass balance, the ADS-ready annual export (docs/decisions/039-sites-and-ads-export.md) ----
export { SitesProjection, type SiteTables } from './sites/sites.projection.js';
export {
  adsExport,
  adsExportCsv,
  csvCell,
  findSiteByPNumber,
  getSite,
  listSites,
  publicSiteView,
  siteBalance,
  tonnesOf,
  type AdsExport,
  type AdsRow,
  type SiteBalance,
  type SiteView,
} from './sites/sites.queries.js';

// ---- emission factor sets, with their history (docs/decisions/042-emission-factors-as-data.md) ----
export { EmissionFactorsProjection, type EmissionFactorTables } from './emission-factors/emission-factors.projection.js';
export { emissionFactorSetInForce, getEmissionFactorSet, listEmissionFactorSets, type EmissionFactorSetView, type EmissionFactorView } from './emission-factors/emission-factors.queries.js';

// ---- programmes, value chains, members over time, organisation sizes and SME status (docs/decisions/041-programmes-and-sme-status.md) ----
export { ProgrammesProjection, type ProgrammeTables } from './programmes/programmes.projection.js';
export {
  getProgramme,
  listProgrammes,
  organisationSizes,
  programmeMembers,
  type MemberView,
  type MembersReport,
  type MembershipView,
  type ProgrammeView,
  type SizeView,
  type ValueChainView,
} from './programmes/programmes.queries.js';

// ---- programme impact: waste used as raw material, reuse, CO2e avoided (docs/decisions/043-programme-impact.md) ----
export { ProgrammeImpactProjection, type ProgrammeImpactTables } from './programme-impact/programme-impact.projection.js';
export { gramsToTonnes, programmeImpact, type ProgrammeImpactQuery, type ProgrammeImpactReport } from './programme-impact/programme-impact.queries.js';
export { programmeImpactCsv } from './programme-impact/programme-impact.csv.js';

// ---- recycled-content claims and mass-balance accounts (docs/decisions/044-recycled-content-claims.md) ----
export { ClaimsProjection, type ClaimTables } from './claims/claims.projection.js';
export {
  claimsOfBatch,
  claimsOfOrganisation,
  getClaim,
  massBalanceAccount,
  massBalanceAccountsOf,
  type AccountSummaryView,
  type AccountView,
  type ClaimView,
  type MovementView,
} from './claims/claims.queries.js';

// ---- the symbiosis catalogue: offers, wants, deals (docs/decisions/046-symbiosis-catalogue.md) ----
export { CatalogueProjection, type CatalogueTables } from './catalogue/catalogue.projection.js';
export {
  catalogueDeals,
  catalogueOffersOf,
  catalogueWantsOf,
  currentMemberships,
  dealLocator,
  getCatalogueOffer,
  getCatalogueWant,
  getDeal,
  latestCataloguePosition,
  offerStateAt,
  openCatalogueOffers,
  openCatalogueWants,
  wantStateAt,
  MAX_CATALOGUE_CANDIDATES,
  type DealHistoryEntry,
  type DealView,
  type OfferRecord,
  type OfferState,
  type SymbiosisKind,
  type WantRecord,
} from './catalogue/catalogue.queries.js';

/** The read models of docs/domain.md, plus organisations. Fresh instances each call. */
export function createCoreProjections(): Projection[] {
  return [
    new OrganisationsProjection(),
    new BatchSummaryProjection(),
    new BatchHistoryProjection(),
    new LineageProjection(),
    new CustodyProjection(),
    new InventoryProjection(),
  ];
}

/**
 * Everything the ledger runs: the core read models, the processes list, and the allocation-based
 * read models (provenance, circularity, municipal report).
 *
 * To add a read model: implement Projection (extend BaseProjection; use ProcessGate if it must wait
 * for ProcessCompleted), export it and its queries above, and append an instance here. The runner
 * gives a newly added projection its own checkpoint, so it catches up from zero on the next start
 * while the others carry on from theirs.
 */
export function createLedgerProjections(): Projection[] {
  return [
    ...createCoreProjections(),
    new ProcessesProjection(),
    new ProvenanceProjection(),
    new CircularityProjection(),
    new MunicipalReportProjection(),
    new MunicipalFlowsProjection(),
    new AuditLogProjection(),
    new AnomaliesProjection(),
    new SitesProjection(),
    new ProgrammesProjection(),
    new EmissionFactorsProjection(),
    new ProgrammeImpactProjection(),
    new ClaimsProjection(),
    new CatalogueProjection(),
  ];
}
