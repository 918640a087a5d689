import { z } from 'zod';

/**
 * Building blocks of the response schemas (decision 034): Swagger documents every answer from a zod
 * schema, as it documents bodies (common/openapi.ts). These are documentation of the answers the
 * read models and commands give, typed against those answers where they are assigned, so a member
 * renamed in a projection fails the type check here.
 */
export const uuid = () => z.string().describe('UUID');
export const instant = () => z.string().describe('ISO-8601 instant, UTC');
export const grams = () => z.number().int().describe('Integer grams');
export const position = () => z.number().int().describe('Global log position');
/** An organisation's name beside its id (decision 034); null for an id no organisation has. */
export const orgName = () => z.string().nullable().describe('The organisation’s registered name (public, GET /organisations)');
/** A share as an exact percentage with two decimals, rounded half to even (decision 034). */
export const percent = () => z.string().regex(/^-?\d+\.\d{2}$/).describe('Percentage with two decimals, computed exactly from integer grams, rounded half to even');

/** The moment an as-of answer was taken at (the Ledger-As-Of header, and `asOf` on object answers). */
export const AsOfMember = z
  .discriminatedUnion('axis', [
    z.object({ axis: z.literal('position'), position: position() }),
    z.object({ axis: z.literal('recordedAt'), recordedAt: instant(), position: position() }),
  ])
  .optional()
  .describe('Only on as-of answers (asOf or asOfPosition given): the moment the answer was taken at');

/** What every command answers: the events it appended, at which position (CommandExecutor). */
export const CommandResultFields = {
  streamId: z.string(),
  eventIds: z.array(uuid()),
  eventTypes: z.array(z.string()),
  position: position(),
  replayed: z.boolean().describe('True when this answers a retry of a command already recorded (idempotency)'),
};

export const BatchCommandResultSchema = z.object({ batchId: uuid(), ...CommandResultFields });

/** A bulk command's answer: every item's own status, with its result or its problem (common/bulk-results.ts). */
export const bulkResultsSchema = (result: z.ZodType, problem: z.ZodType) =>
  z.object({
    succeeded: z.number().int(),
    failed: z.number().int(),
    results: z.array(z.union([z.object({ index: z.number().int(), status: z.number().int(), result }), z.object({ index: z.number().int(), status: z.number().int(), problem })])),
  });
