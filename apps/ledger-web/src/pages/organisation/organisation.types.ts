/** The parts of the API's inventory answer this page reads (see the API's Swagger at /docs). */
export interface GradeStock {
  readonly grade: string;
  readonly availableGrams: number;
  readonly availableBatches: number;
  readonly inTransitGrams: number;
  readonly inTransitBatches: number;
}

export interface Inventory {
  readonly organisationId: string;
  readonly period: { readonly from: string | null; readonly to: string | null };
  readonly openingGrams: number;
  readonly collectedGrams: number;
  readonly registeredGrams: number;
  readonly receivedGrams: number;
  readonly producedGrams: number;
  readonly adjustmentGrams: number;
  readonly dispatchedGrams: number;
  readonly consumedGrams: number;
  readonly outcomeGrams: number;
  readonly closingGrams: number;
  readonly processLossGrams: number;
  readonly balanced: boolean;
  readonly stock: {
    readonly availableGrams: number;
    readonly availableBatches: number;
    readonly inTransitGrams: number;
    readonly inTransitBatches: number;
    readonly byGrade: readonly GradeStock[];
  };
}

/** GET /organisations/:id/processes (one page). */
export interface ProcessList {
  readonly processes: readonly {
    readonly processId: string;
    readonly processType: string;
    readonly status: string;
    readonly occurredAt: string;
    readonly inputs: { readonly batches: number; readonly massGrams: number };
    readonly externalInputs: { readonly count: number; readonly massGrams: number };
    readonly outputs: { readonly batches: number; readonly massGrams: number };
    readonly lossesGrams: number;
  }[];
  readonly nextAfter: string | null;
}

/** GET /organisations/:id/shipments (one page). */
export interface ShipmentList {
  readonly shipments: readonly {
    readonly transferId: string;
    readonly batchId: string;
    readonly direction: 'outgoing' | 'incoming';
    readonly counterpartOrgId: string;
    readonly counterpartOrgName: string | null;
    readonly massGrams: number;
    readonly dispatchedAt: string;
    readonly receivedAt: string | null;
  }[];
  readonly nextAfter: string | null;
}
