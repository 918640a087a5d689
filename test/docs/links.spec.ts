import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The README and the documents under docs/ are read on their own, from a clone or an archive: every
 * link they make resolves inside the repository, and none leaves it (a page elsewhere changes or
 * disappears without the ledger knowing).
 */
const root = path.resolve('.');
const documents = ['README.md', ...readdirSync('docs', { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md')).map((file) => path.join('docs', file))];
const LINK = /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

function linksOf(file: string): string[] {
  // Code blocks show commands, not links.
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(LINK)].map((match) => match[1]!);
}

describe('links in the README and docs/', () => {
  it.each(documents)('given %s, when its links are followed, then each stays inside the repository and finds its file', (file) => {
    const broken = linksOf(file).flatMap((link) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return [`${link}: leaves the repository`];
      const [target] = link.split('#');
      if (!target) return [];
      const resolved = path.resolve(path.dirname(file), decodeURIComponent(target));
      if (!resolved.startsWith(root + path.sep)) return [`${link}: leaves the repository`];
      return existsSync(resolved) ? [] : [`${link}: no such file`];
    });
    expect(broken).toEqual([]);
  });
});
