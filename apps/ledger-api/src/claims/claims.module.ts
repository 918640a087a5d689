import { Module } from '@nestjs/common';
import { ClaimsController } from './claims.controller.js';
import {
  ClaimRecycledContentHandler,
  ClaimsOfBatchHandler,
  ClaimsOfOrganisationHandler,
  ClaimStandardsHandler,
  ClaimWriter,
  GetClaimHandler,
  MassBalanceAccountHandler,
  MassBalanceAccountsHandler,
} from './claims.handlers.js';

@Module({
  controllers: [ClaimsController],
  providers: [ClaimWriter, ClaimRecycledContentHandler, GetClaimHandler, ClaimsOfBatchHandler, ClaimsOfOrganisationHandler, MassBalanceAccountsHandler, MassBalanceAccountHandler, ClaimStandardsHandler],
})
export class ClaimsModule {}
