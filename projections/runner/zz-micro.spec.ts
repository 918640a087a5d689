import { it } from '@jest/globals';
import { createCoreProjections } from '../index.js';
import { EventLog, syntheticFlow } from '../testing/fixtures.js';

it('micro', () => {
  const log = new EventLog();
  syntheticFlow(log, 30000, 11);
  const events = log.projected();
  for (let round = 0; round < 3; round++) {
    for (const p of createCoreProjections()) {
      const t = performance.now();
      for (const e of events) p.apply(e);
      process.stdout.write(`${p.name} ${(performance.now() - t).toFixed(1)}ms  `);
    }
    process.stdout.write('\n');
  }
});
