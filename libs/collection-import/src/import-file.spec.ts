import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_BATCH_MASS_GRAMS, Uuid } from '#domain';
import { decodeCsvBytes, encodeWindows1252 } from './csv-bytes.js';
import { errorReportCsv } from './error-report.js';
import { readImportFile, type CollectionRow } from './import-file.js';
import { formatKilograms, readMass } from './kilograms.js';
import { readDate } from './local-dates.js';

const ORG = '0195a3c2-7d41-7b8e-9f10-2c4d6e8fa011';
const options = { organisationId: ORG, today: '2025-06-30' };

describe('weights', () => {
  it('given kilograms with up to three decimals, when read, then they are exact grams', () => {
    expect(readMass('12,345', 'kg', ',')).toEqual({ grams: 12_345 });
    expect(readMass('12.345', 'kg', '.')).toEqual({ grams: 12_345 });
    expect(readMass('1.234,5', 'kg', ',')).toEqual({ grams: 1_234_500 });
    expect(readMass('0,001', 'kg', ',')).toEqual({ grams: 1 });
    expect(readMass('4125', 'g', ',')).toEqual({ grams: 4_125 });
  });

  it('given a bad weight, when read, then it says why', () => {
    expect(readMass('-5', 'kg', ',')).toMatchObject({ code: 'negative-weight' });
    expect(readMass('abc', 'kg', ',')).toMatchObject({ code: 'not-a-number' });
    expect(readMass('1,2345', 'kg', ',')).toMatchObject({ code: 'too-many-decimals' });
    expect(readMass('0', 'kg', ',')).toMatchObject({ code: 'zero-weight' });
    expect(readMass('1000001', 'kg', ',')).toMatchObject({ code: 'weight-above-maximum' });
    expect(readMass('12.5', 'kg', ',')).toMatchObject({ code: 'not-a-number' });
  });

  it('property: kg text ↔ grams is exact for every mass a batch may have, in both decimal marks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_BATCH_MASS_GRAMS }), fc.constantFrom(',' as const, '.' as const), (grams, decimal) => {
        expect(readMass(formatKilograms(grams, decimal), 'kg', decimal)).toEqual({ grams });
      }),
    );
  });
});

describe('dates', () => {
  it('given ISO and Danish dates, when read, then they are the start of that day in Copenhagen', () => {
    expect(readDate('2025-03-10')).toEqual({ occurredAt: '2025-03-10T00:00:00+01:00', date: '2025-03-10' });
    expect(readDate('10-07-2025')).toEqual({ occurredAt: '2025-07-10T00:00:00+02:00', date: '2025-07-10' });
    expect(readDate('10.07.2025')).toMatchObject({ date: '2025-07-10' });
    // Summer time begins on 30 March 2025 at 02:00 local: its midnight is still winter time.
    expect(readDate('2025-03-30')).toMatchObject({ occurredAt: '2025-03-30T00:00:00+01:00' });
    expect(readDate('2025-03-31')).toMatchObject({ occurredAt: '2025-03-31T00:00:00+02:00' });
    expect(readDate('2025-10-26')).toMatchObject({ occurredAt: '2025-10-26T00:00:00+02:00' });
    expect(readDate('2025-10-27')).toMatchObject({ occurredAt: '2025-10-27T00:00:00+01:00' });
    expect(readDate('31-02-2025')).toMatchObject({ code: 'invalid-date' });
  });

  it('property: every bare date maps to the instant that is midnight of that day in Europe/Copenhagen', () => {
    const formatter = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-02T00:00:00Z'), max: new Date('2099-12-30T00:00:00Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString().slice(0, 10);
        const read = readDate(iso);
        if ('code' in read) throw new Error(read.reason);
        const local = formatter.format(new Date(read.occurredAt));
        expect(local).toBe(`${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}, 00:00`);
      }),
    );
  });
});

describe('reading an import file', () => {
  it('given a Danish Excel export (semicolons, decimal comma, Windows-1252), when read, then every row is a collection', () => {
    const text = 'Kommunekode;Ordning;EAK-kode;Vægt (kg);Dato;Bemærkning\r\n657;Tøjcontainer;200111;1.234,567;10-03-2025;Ærø\r\n0661;genbrugsplads;20 01 10;96,2;11.03.2025;\r\n';
    const { text: decoded, encoding } = decodeCsvBytes(encodeWindows1252(text));
    expect(encoding).toBe('windows-1252');
    const file = readImportFile('collections', decoded, options);
    expect(file).toMatchObject({ separator: ';', decimal: ',', language: 'da', ignoredColumns: ['Bemærkning'], fileErrors: [] });
    expect(file.rows.map((r) => r.command)).toEqual([
      expect.objectContaining({ kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_234_567, occurredAt: '2025-03-10T00:00:00+01:00' }),
      expect.objectContaining({ kommuneCode: '0661', collectionScheme: 'recycling-centre', ewcCode: '20 01 10', massGrams: 96_200 }),
    ]);
  });

  it('given an English CSV with a BOM and grams, when read, then the headers and separator are found', () => {
    const file = readImportFile('collections', '\ufeffkommune code,collection scheme,EWC code,grams,date\n0657,kerbside,20 01 11,4125,2025-03-10\n', options);
    expect(file).toMatchObject({ separator: ',', decimal: '.', language: 'en' });
    expect(file.rows[0]!.command).toMatchObject({ massGrams: 4_125 });
  });

  it('given bad rows of every kind, when read, then each error names its line, column, value and reason', () => {
    const text = [
      'kommunekode;ordning;EAK-kode;vægt (kg);dato',
      '9999;kerbside;20 01 11;1;2025-03-10',
      '0657;kerbside;99 99 99;1;2025-03-10',
      '0657;kerbside;20 01 11;-3;2025-03-10',
      '0657;kerbside;20 01 11;tre;2025-03-10',
      '0657;kerbside;20 01 11;1;2025-07-01',
      '0657;kerbside;20 01 11;1;2025-03-10',
      '0657;kerbside;20 01 11;1;2025-03-10',
      '0657;kerbside;20 01 11;1000000,001;2025-03-10',
    ].join('\n');
    const file = readImportFile('collections', text, options);
    expect(file.rows.map((r) => r.errors.map((e) => [e.line, e.column, e.value, e.code]))).toEqual([
      [[2, 'kommunekode', '9999', 'unknown-kommune']],
      [[3, 'EAK-kode', '99 99 99', 'bad-ewc-code']],
      [[4, 'vægt (kg)', '-3', 'negative-weight']],
      [[5, 'vægt (kg)', 'tre', 'not-a-number']],
      [[6, 'dato', '2025-07-01', 'future-date']],
      [],
      [[8, '', '', 'duplicate-row']],
      [[9, 'vægt (kg)', '1000000,001', 'weight-above-maximum']],
    ]);
    const report = errorReportCsv(file.header, file.rows, { separator: ';', language: 'da' });
    expect(report.split('\r\n')[0]).toBe('\ufeffkommunekode;ordning;EAK-kode;vægt (kg);dato;linje;fejl');
    // A negative weight handed back is not a formula.
    expect(report).toContain("0657;kerbside;20 01 11;'-3;2025-03-10;4;");
  });

  it('given weights that read both ways (1.250), when the mark is not given, then the file is refused; given it, read', () => {
    const text = 'kommunekode;ordning;EAK-kode;vægt (kg);dato\n0657;kerbside;20 01 11;1.250;2025-03-10\n';
    expect(readImportFile('collections', text, options).rows[0]!.errors.map((e) => e.code)).toEqual(['ambiguous-decimal-mark']);
    expect(readImportFile('collections', text, { ...options, decimal: '.' }).rows[0]!.command).toMatchObject({ massGrams: 1_250 });
    expect(readImportFile('collections', text.replace('1.250', '1.250,5'), options).rows[0]!.command).toMatchObject({ massGrams: 1_250_500 });
    expect(readImportFile('collections', text.replace('1.250', '12.5'), options).rows[0]!.command).toMatchObject({ massGrams: 12_500 });
  });

  it('given a file without a date column, when read, then every row is refused for the missing column', () => {
    const file = readImportFile('collections', 'kommunekode;ordning;EAK-kode;vægt (kg)\n0657;kerbside;20 01 11;1\n', options);
    expect(file.fileErrors).toEqual([expect.objectContaining({ code: 'missing-column', column: 'dato' })]);
    expect(file.rows[0]!.errors.map((e) => e.code)).toEqual(['missing-column']);
  });

  it('given the same row imported by two organisations or with another weight, then its identity differs; read again, it is the same', () => {
    const text = 'kommunekode;ordning;EAK-kode;vægt (kg);dato\n0657;kerbside;20 01 11;1;2025-03-10\n';
    const identity = (org: string, t = text) => readImportFile('collections', t, { ...options, organisationId: org }).rows[0]!.identity;
    expect(identity(ORG)).toBe(identity(ORG));
    expect(identity(ORG)).not.toBe(identity('0195a3c2-7d41-7b8e-9f10-2c4d6e8fa012'));
    expect(identity(ORG)).not.toBe(identity(ORG, text.replace(';1;', ';2;')));
    // The same collection written differently (kg with a decimal, the 0 Excel drops) is the same row.
    expect(identity(ORG)).toBe(identity(ORG, 'kommunekode;ordning;EAK-kode;vægt (g);dato\n0657;kerbside;200111;1000;10.03.2025\n'));
    const command: CollectionRow | undefined = readImportFile('collections', text, options).rows[0]!.command;
    // A version-8 UUID led by the business time, so a file's batches sort by date.
    expect(command?.batchId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Uuid.safeParse(command?.batchId).success).toBe(true);
    expect(parseInt(command!.batchId.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2025-03-10T00:00:00+01:00'));
  });

  it('given a residuals file, when read, then composition and origin class are read in Danish', () => {
    const file = readImportFile('residuals', 'oprindelse;EAK-kode;vægt (kg);beskrivelse;sammensætning;dato\nfør forbrug;04 02 22;1250;Afskær fra denim;bomuld 95 %, elastan 5 %;2025-03-10\n', options);
    expect(file.rows[0]!.errors).toEqual([]);
    expect(file.rows[0]!.command).toMatchObject({ originClass: 'pre-consumer', massGrams: 1_250_000, composition: [{ fibre: 'cotton', share: 9_500 }, { fibre: 'elastane', share: 500 }] });
  });
});
