import type { Locale } from '../../shared/format.js';

/** The municipality overview's own messages (the shared ones stay in shared/i18n). */
export interface MunicipalityMessages {
  readonly periodTitle: (name: string, year: number, quarter: number) => string;
  readonly period: string;
  readonly wholeYear: string;
  readonly quarterShort: (quarter: number) => string;
  readonly quarterLong: (quarter: number) => string;
  readonly flowsDiagram: (name: string) => string;
  readonly flowTable: string;
  readonly flowLevel: string;
  readonly from: string;
  readonly to: string;
  readonly levels: Readonly<Record<'collector' | 'sorter' | 'grade' | 'fate', string>>;
  readonly notSorted: string;
  readonly negativeNote: string;
  /** What each headline rate measures, in the terms of docs/domain.md. */
  readonly definitions: Readonly<Record<'circularity' | 'fibreToFibre' | 'resolved', string>>;
}

const da: MunicipalityMessages = {
  periodTitle: (name, year, quarter) => `${name}: tekstiler indsamlet i ${quarter}. kvartal ${year}`,
  period: 'Periode',
  wholeYear: 'Hele året',
  quarterShort: (quarter) => `${quarter}. kvt.`,
  quarterLong: (quarter) => `${quarter}. kvartal`,
  flowsDiagram: (name) => `Sankey-diagram: ${name}s indsamlede tekstiler fra indsamler over sorteringsvirksomhed og sortering til hvor de endte`,
  flowTable: 'Strømmene som tabel',
  flowLevel: 'Led',
  from: 'Fra',
  to: 'Til',
  levels: { collector: 'Kommune → indsamler', sorter: 'Indsamler → første sortering', grade: 'Sortering → sorteringsgrad', fate: 'Sorteringsgrad → skæbne' },
  notSorted: 'Ikke sorteret',
  negativeNote: 'En negativ mængde er en vejedifference, hvor en vejning fandt mere, end der blev sendt; den kan ikke tegnes, men tælles med i tabellen.',
  definitions: {
    circularity: 'Genbrug plus genanvendt til tekstil plus genanvendt til andre produkter, delt med det indsamlede i perioden. Eksport til genanvendelse tælles ikke med, fordi dens skæbne ikke er kendt.',
    fibreToFibre: 'Det, der blev genanvendt til nye tekstiler (produkter til tekstilbrug), delt med det indsamlede i perioden.',
    resolved: 'Én minus det, der stadig er på lager (ikke oparbejdet), delt med det indsamlede: den andel, hvis skæbne er afgjort.',
  },
};

const en: MunicipalityMessages = {
  periodTitle: (name, year, quarter) => `${name}: textiles collected in Q${quarter} ${year}`,
  period: 'Period',
  wholeYear: 'Whole year',
  quarterShort: (quarter) => `Q${quarter}`,
  quarterLong: (quarter) => `Quarter ${quarter}`,
  flowsDiagram: (name) => `Sankey diagram: ${name}’s collected textiles from collector through sorter and grade to where they went`,
  flowTable: 'The flows as a table',
  flowLevel: 'Step',
  from: 'From',
  to: 'To',
  levels: { collector: 'Kommune → collector', sorter: 'Collector → first sorter', grade: 'Sorter → grade', fate: 'Grade → fate' },
  notSorted: 'Not sorted',
  negativeNote: 'A negative mass is a weighing difference where a weighing found more than was sent; it cannot be drawn, but the table counts it.',
  definitions: {
    circularity: 'Reuse plus recycled into textiles plus recycled into other products, divided by what was collected in the period. Export for recycling is not counted, because its fate is not known.',
    fibreToFibre: 'What was recycled into new textiles (products for textile use), divided by what was collected in the period.',
    resolved: 'One minus what is still in stock (not reprocessed), divided by what was collected: the share whose fate is settled.',
  },
};

export const MUNICIPALITY_MESSAGES: Readonly<Record<Locale, MunicipalityMessages>> = { da, en };
