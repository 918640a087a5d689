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
