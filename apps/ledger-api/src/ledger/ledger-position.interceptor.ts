import { Inject, Injectable, type CallHandler, type CanActivate, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { MalformedRequestError } from '#domain';
import { ProjectionEngine, WaitForPositionTimeoutError } from '#projections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, tap } from 'rxjs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_MIN_POSITION_HEADER, LEDGER_POSITION_HEADER, LEDGER_READ_MODELS_HEADER, ReadModelsBehindError, openPositionScope } from './ledger-position.js';
import { LEDGER_CONFIG } from './tokens.js';

const POSITION = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Read-your-writes across instances (decision 024): a write answers `Ledger-Position: <n>`, the log
 * position its events reached; a read carrying `Ledger-Min-Position: <n>` is served only once this
 * instance's read models include position n, whichever instance took the write (LedgerMinPositionGuard).
 */
@Injectable()
export class LedgerPositionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const answered = new Observable<unknown>((subscriber) => {
      // Subscribing inside the scope runs the handler inside it, so ReadYourWrites.settle can note
      // the position it wrote; the header is set before the body goes out.
      const scope = openPositionScope();
      return scope.run(() =>
        next
          .handle()
          .pipe(
            tap(() => {
              const position = scope.position();
              if (position !== undefined) void reply.header(LEDGER_POSITION_HEADER, String(position));
              if (scope.readModelsBehind()) void reply.header(LEDGER_READ_MODELS_HEADER, 'behind');
            }),
          )
          .subscribe(subscriber),
      );
    });
    return answered;
  }
}

/**
 * The wait for `Ledger-Min-Position` (decision 024). A guard, and the first one, because the guards
 * already read the read models (the API key, the batch a rule protects): a key or a batch written on
 * another instance must be visible to them too, not only to the handler.
 */
@Injectable()
export class LedgerMinPositionGuard implements CanActivate {
  constructor(
    private readonly engine: ProjectionEngine,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const minPosition = this.minPosition(request);
    if (minPosition !== undefined) await this.waitFor(minPosition);
    return true;
  }

  private minPosition(request: FastifyRequest): number | undefined {
    const raw = request.headers[LEDGER_MIN_POSITION_HEADER];
    if (raw === undefined) return undefined;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || !POSITION.test(value.trim())) {
      throw new MalformedRequestError('invalid-min-position', `${LEDGER_MIN_POSITION_HEADER} must be a log position (a non-negative integer), got ${JSON.stringify(value)}`);
    }
    return Number(value.trim());
  }

  private async waitFor(minPosition: number): Promise<void> {
    const waitMs = this.config.minPositionWaitMs;
    try {
      await this.engine.waitForPosition(minPosition, waitMs);
    } catch (error) {
      if (!(error instanceof WaitForPositionTimeoutError)) throw error;
      throw new ReadModelsBehindError(minPosition, this.engine.health().position, waitMs);
    }
  }
}
