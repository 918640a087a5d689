import { Module } from '@nestjs/common';
import { CorrectionsController } from './corrections.controller.js';
import { CorrectMassHandler } from './corrections.handlers.js';

@Module({ controllers: [CorrectionsController], providers: [CorrectMassHandler] })
export class CorrectionsModule {}
