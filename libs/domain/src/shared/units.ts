import { z } from 'zod';
import { FIBRES } from '../reference/reference.js';
import { EARLIEST_OCCURRED_AT, MAX_BATCH_MASS_GRAMS, MAX_COMPOSITION_ENTRIES, MAX_PROGRAMME_TAGS } from './bounds.js';

/** Mass is an integer number of grams everywhere (docs/domain.md); floats are never summed. */
export const Grams = z.number().int('mass must be an integer number of grams').nonnegative().max(Number.MAX_SAFE_INTEGER);
export const PositiveGrams = Grams.refine((g) => g > 0, 'mass must be more than 0 g');

/**
 * The mass of one batch in a command. Validated like any positive mass here (a shape error is a
 * 400); the per-batch maximum is a rule of the deciders, refused with its own 422 (decision 020).
 * The metadata only documents it, so that OpenAPI shows the real bound and a realistic example
 * instead of Number.MAX_SAFE_INTEGER.
 */
export const BatchMassGrams = PositiveGrams.meta({
  minimum: 1,
  maximum: MAX_BATCH_MASS_GRAMS,
  example: 250_000,
  description: `integer grams, at most ${MAX_BATCH_MASS_GRAMS} (1,000 t) per batch`,
});

export const BASIS_POINTS_TOTAL = 10_000;

export const FibreShare = z.object({
  fibre: z.enum(FIBRES),
  share: z.number().int('share must be an integer number of basis points').min(1).max(BASIS_POINTS_TOTAL),
});

/** Shares in basis points that sum to exactly 10,000, each fibre listed once. */
export const Composition = z
  .array(FibreShare)
  .min(1)
  .max(MAX_COMPOSITION_ENTRIES, { message: `a composition lists each fibre once: at most ${MAX_COMPOSITION_ENTRIES} entries`, abort: true })
  .superRefine((shares, ctx) => {
    const total = shares.reduce((sum, s) => sum + s.share, 0);
    if (total !== BASIS_POINTS_TOTAL) {
      ctx.addIssue({ code: 'custom', message: `composition shares must sum to 10000 basis points, got ${total}` });
    }
    const fibres = new Set(shares.map((s) => s.fibre));
    if (fibres.size !== shares.length) {
      ctx.addIssue({ code: 'custom', message: 'each fibre may appear only once in a composition' });
    }
  })
  .meta({ example: [{ fibre: 'cotton', share: 6_000 }, { fibre: 'polyester', share: 4_000 }] });
export type Composition = z.infer<typeof Composition>;

export const UNKNOWN_COMPOSITION: Composition = [{ fibre: 'unknown', share: BASIS_POINTS_TOTAL }];

export const Uuid = z.uuid();

/** An ISO-8601 instant with an explicit offset; the business time of an event. */
export const Instant = z.iso.datetime({ offset: true }).meta({
  example: '2025-03-10T09:30:00+01:00',
  description: `ISO-8601 instant with an offset; business times lie between ${EARLIEST_OCCURRED_AT} and now, and never before the batch's latest business time`,
});

export const ProgrammeTags = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'programme tags are lower-case slugs'))
  .max(MAX_PROGRAMME_TAGS, `at most ${MAX_PROGRAMME_TAGS} programme tags`);
