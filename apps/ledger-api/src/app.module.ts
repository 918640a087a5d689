import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthorizationGuard } from './access/authorization.guard.js';
import { AuditModule } from './audit/audit.module.js';
import { BatchesModule } from './batches/batches.module.js';
import { CollectionModule } from './collection/collection.module.js';
import { CollectionImportModule } from './collection-import/collection-import.module.js';
import { ApiKeyGuard } from './common/api-key.guard.js';
import { IdempotencyInterceptor } from './common/idempotency.interceptor.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { RateLimitGuard } from './common/rate-limit.guard.js';
import { RequestAuditModule } from './common/request-audit.module.js';
import type { LedgerConfig } from './config/ledger.config.js';
import { CorrectionsModule } from './corrections/corrections.module.js';
import { CustodyModule } from './custody/custody.module.js';
import { HealthModule } from './health/health.module.js';
import { LedgerInfrastructureModule } from './ledger/ledger-infrastructure.module.js';
import { MeModule } from './me/me.module.js';
import { LedgerMinPositionGuard, LedgerPositionInterceptor } from './ledger/ledger-position.interceptor.js';
import type { Clock } from './ledger/tokens.js';
import { OrganisationActivityModule } from './organisation-activity/organisation-activity.module.js';
import { MunicipalFlowsModule } from './municipal-flows/municipal-flows.module.js';
import { OrganisationsModule } from './organisations/organisations.module.js';
import { OutcomesModule } from './outcomes/outcomes.module.js';
import { ProcessesModule } from './processes/processes.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { SitesModule } from './sites/sites.module.js';
import { ProgrammesModule } from './programmes/programmes.module.js';
import { AdsExportModule } from './ads-export/ads-export.module.js';
import { WebConfigModule } from './web-config/web-config.module.js';
import { EmissionFactorsModule } from './emission-factors/emission-factors.module.js';
import { EpcisModule } from './epcis/epcis.module.js';
import { ProgrammeImpactModule } from './programme-impact/programme-impact.module.js';
import { ClaimsModule } from './claims/claims.module.js';
import { ClaimCertificatesModule } from './claim-certificates/claim-certificates.module.js';
import { CatalogueModule } from './catalogue/catalogue.module.js';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LedgerInfrastructureModule.forRoot(config, clock),
        RequestAuditModule,
        HealthModule,
        OrganisationsModule,
        OrganisationActivityModule,
        CollectionModule,
        CollectionImportModule,
        CustodyModule,
        ProcessesModule,
        OutcomesModule,
        CorrectionsModule,
        BatchesModule,
        ReportsModule,
        SitesModule,
        ProgrammesModule,
        AdsExportModule,
        MunicipalFlowsModule,
        AuditModule,
        MeModule,
        WebConfigModule,
        EmissionFactorsModule,
        EpcisModule,
        ProgrammeImpactModule,
        ClaimsModule,
        ClaimCertificatesModule,
        CatalogueModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // First: every guard after it reads the read models, which must hold what the client asked for (decision 024).
        { provide: APP_GUARD, useClass: LedgerMinPositionGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After ApiKeyGuard: it charges the organisation that guard authenticated (decision 016).
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Last: it may switch the actor (impersonation), and the two above charge and log the credential's own organisation.
        { provide: APP_GUARD, useClass: AuthorizationGuard },
        // Outside idempotency: a replayed answer names its position too (decision 024).
        { provide: APP_INTERCEPTOR, useClass: LedgerPositionInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
