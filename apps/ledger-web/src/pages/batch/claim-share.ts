/**
 * A claimed share as a reader writes it, a percentage with at most two decimals (`30`, `62,5`,
 * `62.55`), in basis points by string arithmetic, never a float; undefined outside 0.01–100 %.
 */
export function basisPointsOf(text: string): number | undefined {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints >= 1 && basisPoints <= 10_000 ? basisPoints : undefined;
}
