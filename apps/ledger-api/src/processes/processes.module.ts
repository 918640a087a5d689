import { Module } from '@nestjs/common';
import { ProcessManager } from './process-manager.js';
import { ProcessRecovery } from './process-recovery.js';
import { ProcessesController } from './processes.controller.js';
import { GetProcessHandler, RecordProcessHandler } from './processes.handlers.js';

@Module({
  controllers: [ProcessesController],
  providers: [ProcessManager, ProcessRecovery, RecordProcessHandler, GetProcessHandler],
  exports: [ProcessRecovery],
})
export class ProcessesModule {}
