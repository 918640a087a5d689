/**
 * Lists every skipped test by its full name at the end of a run. Jest's default reporter only counts
 * them, but a test skipped for want of a server (EventStoreDB here) must be visible as such.
 */
export default class SkippedTestsReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults.filter((test) => test.status === 'pending' || test.status === 'skipped').map((test) => test.fullName),
    );
    if (skipped.length === 0) return;
    process.stderr.write(`\nSkipped tests (${skipped.length}):\n${skipped.map((name) => `  ○ ${name}\n`).join('')}`);
  }
}
