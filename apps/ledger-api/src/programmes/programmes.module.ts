import { Module } from '@nestjs/common';
import { OrganisationSizeController, ProgrammesController } from './programmes.controller.js';
import { ProgrammesService } from './programmes.service.js';

/** Programmes, value chains, members and organisation sizes (docs/decisions/041-programmes-and-sme-status.md). */
@Module({
  controllers: [ProgrammesController, OrganisationSizeController],
  providers: [ProgrammesService],
})
export class ProgrammesModule {}
