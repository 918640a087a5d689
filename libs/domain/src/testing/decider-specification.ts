/**
 * A tiny given/when/then harness for the domain's deciders, modelled on Emmett's
 * `DeciderSpecification`:
 *
 *   const spec = DeciderSpecification.for({ evolve, initialState: () => undefined });
 *   spec.given([collected]).when((state) => decideDispatchTransfer(state, command, ctx)).then([dispatched]);
 *   spec.given([]).when((state) => decideDispatchTransfer(state, command, ctx)).thenThrows(NotFoundError, 'unknown-batch');
 *
 * `given` folds the events with `evolve`; `when` takes a closure over the folded state (the domain's
 * decide functions differ in shape, so the closure supplies the command and the context); `then`
 * compares what it returned, and `thenThrows` asserts the typed error and its stable code. Both also
 * check that the decision left the state it was given untouched (decide functions are pure).
 *
 * Test-only: it imports jest, so tsconfig.build.json excludes `**\/testing/**`.
 */
import { expect } from '@jest/globals';

export interface DeciderSpecificationOptions<State, Given> {
  readonly evolve: (state: State, event: Given) => State;
  readonly initialState: () => State;
}

/** Any error class, abstract ones (such as DomainError) included. */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export interface ThenClause<Result> {
  /** The decision returns exactly `expected` (strict deep equality: an `undefined` key is not an absent one). */
  then(expected: Result): void;
  /** The decision returns something `assert` accepts, for results a test cannot spell out whole. */
  thenSatisfies(assert: (result: Result) => void): void;
  /** The decision is refused with an instance of `errorClass` (and, when given, this stable `code`). */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, code?: string): E;
}

export interface WhenClause<State> {
  when<Result>(decide: (state: State) => Result): ThenClause<Result>;
}

export interface DeciderSpecificationFor<State, Given> {
  given(events: readonly Given[]): WhenClause<State>;
}

function snapshot<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

export const DeciderSpecification = {
  for<State, Given>(options: DeciderSpecificationOptions<State, Given>): DeciderSpecificationFor<State, Given> {
    return {
      given(events) {
        return {
          when<Result>(decide: (state: State) => Result): ThenClause<Result> {
            const run = (): { result: Result } | { error: unknown } => {
              const state = events.reduce(options.evolve, options.initialState());
              const before = snapshot(state);
              try {
                return { result: decide(state) };
              } catch (error) {
                return { error };
              } finally {
                expect(state).toStrictEqual(before);
              }
            };
            const resultOf = (): Result => {
              const outcome = run();
              if ('error' in outcome) throw outcome.error;
              return outcome.result;
            };
            return {
              then(expected) {
                expect(resultOf()).toStrictEqual(expected);
              },
              thenSatisfies(assert) {
                assert(resultOf());
              },
              thenThrows<E extends Error>(errorClass: ErrorClass<E>, code?: string): E {
                const outcome = run();
                if (!('error' in outcome)) {
                  throw new Error(`expected the decision to throw ${errorClass.name}, but it returned ${JSON.stringify(outcome.result)}`);
                }
                const { error } = outcome;
                expect(error).toBeInstanceOf(errorClass);
                if (code !== undefined) expect(error).toMatchObject({ code });
                return error as E;
              },
            };
          },
        };
      },
    };
  },
} as const;
