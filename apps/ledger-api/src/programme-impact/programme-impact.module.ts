import { Module } from '@nestjs/common';
import { ProgrammeImpactController } from './programme-impact.controller.js';
import { GetProgrammeImpactHandler } from './programme-impact.handlers.js';

/** A programme's impact figures (docs/decisions/043-programme-impact.md). */
@Module({ controllers: [ProgrammeImpactController], providers: [GetProgrammeImpactHandler] })
export class ProgrammeImpactModule {}
