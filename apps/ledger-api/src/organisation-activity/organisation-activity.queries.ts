/** An organisation's processes, by business time; `after` is the previous page's `nextAfter`. */
export class ListOrganisationProcessesQuery {
  constructor(
    readonly organisationId: string,
    readonly period: { readonly from?: string; readonly to?: string },
    readonly limit: number,
    readonly after: string | undefined,
  ) {}
}

/** An organisation's shipments out and in, by dispatch time. */
export class ListOrganisationShipmentsQuery {
  constructor(
    readonly organisationId: string,
    readonly period: { readonly from?: string; readonly to?: string },
    readonly limit: number,
    readonly after: string | undefined,
  ) {}
}
