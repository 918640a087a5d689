import { toProblem, type ProblemDetails } from './problem-details.filter.js';

export type BulkItemResult<T> = { index: number; status: number; result: T } | { index: number; status: number; problem: ProblemDetails };

/**
 * Runs every item concurrently, so their appends share group commits, and reports each item's own
 * outcome: one bad item never hides or undoes the others (each is its own command and its own event).
 */
export async function runBulk<I, T>(items: readonly I[], successStatus: number, run: (item: I, index: number) => Promise<T>): Promise<{ succeeded: number; failed: number; results: BulkItemResult<T>[] }> {
  const results = await Promise.all(
    items.map(async (item, index): Promise<BulkItemResult<T>> => {
      try {
        return { index, status: successStatus, result: await run(item, index) };
      } catch (error) {
        const problem = toProblem(error);
        return { index, status: problem.status, problem };
      }
    }),
  );
  const succeeded = results.filter((r) => 'result' in r).length;
  return { succeeded, failed: results.length - succeeded, results };
}
