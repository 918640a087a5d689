/** The capture job the API answers (GET /epcis/capture/:jobId; decision 047). */
export interface CaptureEventResult {
  readonly index: number;
  readonly eventID?: string;
  readonly fate: 'captured' | 'already-captured' | 'refused';
  readonly command?: string;
  readonly problem?: { readonly code: string; readonly detail: string; readonly status: number; readonly pointer?: string };
}

export interface CaptureJobSummary {
  readonly jobId: string;
  readonly status: 'accepted' | 'running' | 'finished';
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly events: number;
  readonly summary: { readonly captured: number; readonly alreadyCaptured: number; readonly refused: number };
}

export interface CaptureJob extends CaptureJobSummary {
  readonly results: readonly CaptureEventResult[];
}

export interface CaptureJobList {
  readonly items: readonly CaptureJobSummary[];
}
