import { Module } from '@nestjs/common';
import { OutcomesController } from './outcomes.controller.js';
import { RecordOutcomeHandler } from './outcomes.handlers.js';

@Module({ controllers: [OutcomesController], providers: [RecordOutcomeHandler] })
export class OutcomesModule {}
