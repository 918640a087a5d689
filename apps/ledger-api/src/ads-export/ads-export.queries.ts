export class GetAdsExportQuery {
  constructor(
    readonly pNumber: string,
    readonly year: number,
  ) {}
}
