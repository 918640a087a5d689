import { assertProducerCompleted, type BatchState } from '#domain';
import type { EventStore } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import { loadProcess } from './stream-loader.js';
import { EVENT_STORE } from './tokens.js';

/** Completion is permanent, so completed process ids can be remembered; the bound only caps memory. */
const MAX_REMEMBERED = 100_000;

/**
 * Refuses commands on an output batch whose process has not completed (it may still be rejected,
 * and no read model counts it yet). Reads the producing process's own stream: this guards an
 * invariant, so it may not rely on a read model.
 */
@Injectable()
export class ProducerGate {
  private readonly completed = new Set<string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async assertUsable(state: BatchState | undefined): Promise<void> {
    if (state?.origin.kind !== 'produced') return;
    const processId = state.origin.processId;
    if (!this.completed.has(processId)) {
      const process = await loadProcess(this.store, processId);
      if (process.state?.status === 'completed') {
        if (this.completed.size >= MAX_REMEMBERED) this.completed.clear();
        this.completed.add(processId);
      }
    }
    assertProducerCompleted(state, this.completed.has(processId));
  }
}
