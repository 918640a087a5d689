export type CsvEncoding = 'utf-8' | 'windows-1252';

/**
 * The text of an uploaded file. UTF-8 (with or without a byte-order mark) unless told otherwise;
 * bytes that are not valid UTF-8 are a file saved by Excel in Windows-1252 ("ANSI"), the only other
 * encoding Danish spreadsheets are found in, and are decoded as such. Every byte is a character of
 * Windows-1252, so the fallback never fails; valid UTF-8 that was meant as Windows-1252 is nearly
 * impossible for Danish text (æ, ø, å are lone high bytes there, never valid UTF-8 sequences).
 */
export function decodeCsvBytes(bytes: Uint8Array, encoding?: CsvEncoding): { text: string; encoding: CsvEncoding } {
  if (encoding === 'windows-1252') return { text: new TextDecoder('windows-1252').decode(bytes), encoding };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch (error) {
    if (encoding === 'utf-8') throw error;
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** Bytes of a text in Windows-1252 (for tests and fixtures: TextEncoder writes UTF-8 only). */
export function encodeWindows1252(text: string): Uint8Array {
  const decoder = new TextDecoder('windows-1252');
  const table = new Map<string, number>();
  for (let byte = 0; byte < 256; byte += 1) table.set(decoder.decode(Uint8Array.of(byte)), byte);
  return Uint8Array.from([...text].map((char) => {
    const byte = table.get(char);
    if (byte === undefined) throw new RangeError(`${char} has no Windows-1252 byte`);
    return byte;
  }));
}
