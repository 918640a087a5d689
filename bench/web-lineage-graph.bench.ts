/**
 * The batch page's lineage graph at scale: a generated lineage of 1,000 batches, all shown, laid out
 * (dagre) and drawn (SVG) in chromium by the page's own graph module, against the 2 s budget.
 *
 * The page is not served by the ledger: esbuild bundles the graph module with a small entry into one
 * script (dagre inlined), which is put into an empty page. So nothing test-only is built into or
 * served with the application, and the figure measures only the graph: no API, no sign-in, no
 * network (decision 032).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Figure } from './bench-support.js';

/** One JSON line of bench output, as bench/ledger.bench.ts prints them. */
export type BenchLine = Figure;

const BUDGET_MS = 2_000;
const SIZE = 1_000;
const RUNS = 5;

async function bundleGraphModule(): Promise<string> {
  const batchFolder = path.resolve('apps/ledger-web/src/pages/batch');
  const result = await build({
    stdin: {
      contents: `import { drawSyntheticLineage } from './lineage-graph.synthetic.ts';\nglobalThis.drawSyntheticLineage = drawSyntheticLineage;\n`,
      resolveDir: batchFolder,
      sourcefile: 'lineage-graph.bench-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

export async function benchWebLineageGraph(): Promise<BenchLine[]> {
  const script = await bundleGraphModule();
  // Debian's chromium with the browser tests' flags (test/browser/browser-session.ts), not a download.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    headless: true,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.setContent('<!doctype html><html lang="da"><head><meta charset="utf-8"><title>lineage graph bench</title></head><body><div id="graph"></div></body></html>');
    await page.addScriptTag({ content: script, type: 'module' });
    await page.waitForFunction(() => typeof (globalThis as { drawSyntheticLineage?: unknown }).drawSyntheticLineage === 'function');
    const times: number[] = [];
    let drawn = { nodes: 0, links: 0 };
    // The first run also warms the JIT, as a page that has drawn a graph before would be.
    for (let run = 0; run <= RUNS; run += 1) {
      // Typed without the DOM library: the bench compiles for Node.
      const result = await page.evaluate(async (size) => {
        const browserGlobal = globalThis as unknown as {
          document: { getElementById(id: string): unknown };
          drawSyntheticLineage: (container: unknown, size: number) => Promise<{ milliseconds: number; nodes: number; links: number }>;
        };
        return browserGlobal.drawSyntheticLineage(browserGlobal.document.getElementById('graph'), size);
      }, SIZE);
      if (run > 0) times.push(result.milliseconds);
      drawn = { nodes: result.nodes, links: result.links };
    }
    if (drawn.nodes !== SIZE) throw new Error(`drew ${drawn.nodes} batches, expected ${SIZE}`);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    const worst = times[times.length - 1]!;
    return [
      { name: `web-lineage-graph-${SIZE}-batches-layout-and-draw-median`, value: median, unit: 'ms', reference: `budget-${BUDGET_MS}-ms`, ratio: median / BUDGET_MS },
      { name: `web-lineage-graph-${SIZE}-batches-layout-and-draw-worst-of-${RUNS}`, value: worst, unit: 'ms', reference: `budget-${BUDGET_MS}-ms`, ratio: worst / BUDGET_MS },
    ];
  } finally {
    await browser.close();
  }
}

// On its own, after a build: `node dist/bench/web-lineage-graph.bench.js` from the repository's root.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const line of await benchWebLineageGraph()) process.stdout.write(`${JSON.stringify(line)}\n`);
}
