import { SetMetadata } from '@nestjs/common';

export const ACCESS_RULE = 'ledger:access-rule';

/**
 * Who may call a route: the permission matrix of docs/security.md, one rule per route. The
 * AuthorizationGuard evaluates it before any pipe or handler runs; a route without a rule is refused
 * (default deny), so a new endpoint cannot be reachable by accident.
 */
export type AccessRule =
  /** Any authenticated organisation: the directory and the log's public audit material. */
  | { readonly kind: 'authenticated' }
  /** Auditors and the operator only. */
  | { readonly kind: 'privileged' }
  /** Full view of the batch named by the route parameter (custodian, former custodian, consignee, upstream, own kommune's collections). */
  | { readonly kind: 'batch'; readonly param: string }
  /** The process's own organisation, auditors and the operator. */
  | { readonly kind: 'process'; readonly param: string }
  /** The organisation named by the route parameter itself, auditors and the operator. */
  | { readonly kind: 'organisation'; readonly param: string }
  /** The municipality of the kommune named by the route parameter, auditors and the operator. */
  | { readonly kind: 'kommune'; readonly param: string }
  /**
   * The event at the log position named by the query parameter: seen by whoever may see its stream
   * (the batch, the process, the organisation itself), auditors and the operator; otherwise it
   * answers like a position that holds no event.
   */
  | { readonly kind: 'event'; readonly query: string }
  /**
   * A municipality's collector authorisations (the route parameter names it): in full for the
   * municipality itself, auditors and the operator; narrowed to the entries naming it for a
   * collector (its `collectorOrgId` query); refused to anyone else.
   */
  | { readonly kind: 'collector-authorisations'; readonly param: string }
  /** The site whose P-number the route parameter names: its organisation, auditors and the operator (decision 039). */
  | { readonly kind: 'site'; readonly param: string }
  /** Anyone authenticated, but the answer is narrowed to the viewer's scope (see ReadScope; the catalogue's lists apply the catalogue policy). */
  | { readonly kind: 'scoped'; readonly scope: 'batches' | 'circularity' | 'anomalies' | 'catalogue' }
  /**
   * The catalogue's offer or want named by the route parameter (docs/decisions/046-symbiosis-catalogue.md):
   * its own organisation, auditors, the operator, and the audience it chose; to anyone else it
   * answers like one that does not exist. With `acts`, also a command of that kind (as `write`).
   */
  | { readonly kind: 'catalogue-offer' | 'catalogue-want'; readonly param: string; readonly acts?: 'material' }
  /** A request and the deal it became: its two parties, auditors and the operator; otherwise 404. */
  | { readonly kind: 'catalogue-deal'; readonly param: string; readonly acts?: 'material' }
  /**
   * A command. Auditors never write. `material` commands act on batches and processes: the operator
   * may issue them only by explicit impersonation. `administration` commands (organisations, keys,
   * collector authorisations) leave the remaining checks to the domain's decisions.
   */
  | { readonly kind: 'write'; readonly acts: 'material' | 'administration' };

export const Access = (rule: AccessRule) => SetMetadata(ACCESS_RULE, rule);
