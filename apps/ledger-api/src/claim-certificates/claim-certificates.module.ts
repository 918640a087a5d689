import { Module } from '@nestjs/common';
import { ClaimCertificatesController } from './claim-certificates.controller.js';
import { GetClaimCertificateHandler } from './claim-certificates.handlers.js';

@Module({ controllers: [ClaimCertificatesController], providers: [GetClaimCertificateHandler] })
export class ClaimCertificatesModule {}
