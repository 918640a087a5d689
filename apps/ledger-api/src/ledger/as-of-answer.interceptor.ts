import { applyDecorators, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../common/actor.js';
import { asRequester } from '../common/cost-budget.js';
import { AsOfAnswered } from './as-of-read-models.js';

/** Names the moment of every as-of answer, whatever its body (JSON object, list or CSV). */
export const AS_OF_HEADER = 'ledger-as-of';

/**
 * Turns a handler's AsOfAnswered into the HTTP answer: the `Ledger-As-Of` header always carries
 * `{axis, recordedAt?, position}` as JSON, and a JSON object body also gets it as its `asOf` member
 * (batch history's shape). Live answers pass through untouched. The handler runs as the requesting
 * organisation (asRequester), so that AsOfReadModels queues and charges its replays to it.
 */
@Injectable()
export class AsOfAnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const organisationId = context.switchToHttp().getRequest<AuthenticatedRequest>().actor?.organisationId;
    // Nest binds the handler to the async context `handle()` is called in.
    const handled = organisationId === undefined ? next.handle() : asRequester(organisationId, () => next.handle());
    return handled.pipe(
      map((result: unknown) => {
        if (!(result instanceof AsOfAnswered)) return result;
        void context.switchToHttp().getResponse<FastifyReply>().header(AS_OF_HEADER, JSON.stringify(result.asOf));
        const value: unknown = result.value;
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, asOf: result.asOf } : value;
      }),
    );
  }
}

/** For a query endpoint: documents asOf/asOfPosition and shapes its as-of answers. */
export function AnswersAsOf(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(AsOfAnswerInterceptor),
    ApiQuery({
      name: 'asOf',
      required: false,
      description:
        'Answer as the ledger knew it at this recorded time (ISO-8601 with offset): as of the last event whose recordedAt ≤ asOf. A future time answers as of now. The answer names the axis and the position in `asOf` and in the Ledger-As-Of header.',
    }),
    ApiQuery({ name: 'asOfPosition', required: false, description: 'Answer as of this global log position (inclusive); not together with asOf. Beyond the head: as of the head.' }),
  );
}
