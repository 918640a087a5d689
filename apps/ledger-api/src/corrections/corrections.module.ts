import { Module, type OnModuleInit } from '@nestjs/common';
import { ProcessRecovery } from '../processes/process-recovery.js';
import { ProcessesModule } from '../processes/processes.module.js';
import { CorrectionsController, ProcessCorrectionsController } from './corrections.controller.js';
import { CorrectMassHandler, VoidProcessHandler } from './corrections.handlers.js';
import { ProcessVoidManager } from './process-void.manager.js';
import { MassBalanceVoidGuard } from '../ledger/mass-balance-void.guard.js';

@Module({
  imports: [ProcessesModule],
  controllers: [CorrectionsController, ProcessCorrectionsController],
  providers: [CorrectMassHandler, VoidProcessHandler, ProcessVoidManager, MassBalanceVoidGuard],
})
export class CorrectionsModule implements OnModuleInit {
  constructor(
    private readonly recovery: ProcessRecovery,
    private readonly voids: ProcessVoidManager,
  ) {}

  /** Recovery (start-up and periodic) also finishes voids that were started and did not end. */
  onModuleInit(): void {
    this.recovery.registerVoidDriver((processId) => this.voids.resume(processId));
  }
}
