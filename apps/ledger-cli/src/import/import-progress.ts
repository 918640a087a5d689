/**
 * A progress line for an import on stderr: rows done of all, the rate, and the time left at that
 * rate. progress-bar.ts shows log positions without a rate; an import is judged by rows a second.
 */
export function importProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): (done: number) => void {
  const started = now();
  let last = 0;
  return (done) => {
    const at = now();
    if (done < total && at - last < 200) return;
    last = at;
    const seconds = Math.max(0.001, (at - started) / 1000);
    const rate = done / seconds;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} rows, ${Math.round(rate)} rows/s, ${done >= total ? `${seconds.toFixed(1)} s` : `ETA ${eta === undefined ? '?' : formatSeconds(eta)}`}`;
    stream.write(stream.isTTY ? `\r${line}` : `${line}\n`);
    if (done >= total && stream.isTTY) stream.write('\n');
  };
}

function formatSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}
