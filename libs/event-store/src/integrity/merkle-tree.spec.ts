import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProof,
  inclusionProof,
  ledgerLeafData,
  ledgerLeafHash,
  leafHash,
  nodeHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
  type MerkleNode,
  type MerkleNodeSource,
} from './merkle-tree.js';

const hex = (b: Buffer): string => b.toString('hex');
const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

// Certificate Transparency test data, as published in transparency-dev/merkle testonly/constants.go
// (data only): the leaf inputs, the root for every size 0..8 and the node hashes of the size-8 tree.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_NODES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const nh = (level: number, index: number): string => CT_NODES[level]![index]!;

// ---- A naive, literal transcription of RFC 9162 §2.1 over an array of leaf hashes (the reference). ----
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function refMth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return d[0]!;
  return nodeHash(refMth(d.slice(0, k(d.length))), refMth(d.slice(k(d.length))));
}
function refPath(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s ? [...refPath(m, d.slice(0, s)), refMth(d.slice(s))] : [...refPath(m - s, d.slice(s)), refMth(d.slice(0, s))];
}
function refSubproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [refMth(d)];
  const s = k(d.length);
  return m <= s ? [...refSubproof(m, d.slice(0, s), b), refMth(d.slice(s))] : [...refSubproof(m - s, d.slice(s), false), refMth(d.slice(0, s))];
}
const refProof = (m: number, d: readonly Buffer[]): Buffer[] => (m === 0 || m === d.length ? [] : refSubproof(m, d, true));

/** Leaf hashes appended to a frontier; the nodes it reports are the source, and lookups are counted. */
function treeOf(leaves: readonly Buffer[]): { frontier: MerkleFrontier; source: MerkleNodeSource & { lookups: number }; nodes: MerkleNode[] } {
  const frontier = MerkleFrontier.empty();
  const nodes: MerkleNode[] = [];
  const stored = new Map<string, Buffer>();
  for (const leaf of leaves) {
    for (const node of frontier.append(leaf)) {
      nodes.push(node);
      stored.set(`${node.level}/${node.index}`, node.hash);
    }
  }
  const source = {
    lookups: 0,
    node(level: number, index: number): Buffer {
      source.lookups += 1;
      const found = stored.get(`${level}/${index}`);
      // Only completed nodes were stored: asking for anything else is a bug in the proof code.
      if (found === undefined) throw new Error(`node (${level}, ${index}) is not complete in a tree of ${leaves.length}`);
      return found;
    },
  };
  return { frontier, source, nodes };
}

const syntheticLeaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const flipBit = (b: Buffer, bit = 0): Buffer => {
  const copy = Buffer.from(b);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
};
const log2Ceil = (n: number): number => Math.ceil(Math.log2(Math.max(n, 2)));

describe('Merkle tree hashing (RFC 9162 §2.1.1)', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes, and the empty tree as SHA-256 of nothing', () => {
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(CT_ROOTS[1]);
    const [a, b] = [leafHash(CT_LEAVES[0]!), leafHash(CT_LEAVES[1]!)];
    expect(hex(nodeHash(a, b))).toBe(CT_ROOTS[2]);
    expect(nodeHash(a, b).equals(nodeHash(b, a))).toBe(false);
  });

  it('gives the Certificate Transparency roots for sizes 0..8, incrementally and from stored nodes', async () => {
    const leaves = CT_LEAVES.map(leafHash);
    const frontier = MerkleFrontier.empty();
    expect(hex(frontier.root())).toBe(CT_ROOTS[0]);
    for (let n = 1; n <= 8; n += 1) {
      frontier.append(leaves[n - 1]!);
      expect(hex(frontier.root())).toBe(CT_ROOTS[n]);
      expect(hex(await rootAt(treeOf(leaves.slice(0, n)).source, n))).toBe(CT_ROOTS[n]);
    }
  });

  it('reports exactly the completed nodes of the published size-8 tree, at their (level, index)', () => {
    const { nodes } = treeOf(CT_LEAVES.map(leafHash));
    expect(nodes.map((n) => [n.level, n.index, hex(n.hash)])).toEqual(
      [
        [0, 0], [0, 1], [1, 0], [0, 2], [0, 3], [1, 1], [2, 0], [0, 4], [0, 5], [1, 2], [0, 6], [0, 7], [1, 3], [2, 1], [3, 0],
      ].map(([level, index]) => [level, index, nh(level!, index!)]),
    );
  });

  it('matches the published inclusion and consistency proofs of the size-8 tree', async () => {
    const { source } = treeOf(CT_LEAVES.map(leafHash));
    expect((await inclusionProof(source, 0, 8)).map(hex)).toEqual([nh(0, 1), nh(1, 1), nh(2, 1)]);
    expect((await inclusionProof(source, 5, 8)).map(hex)).toEqual([nh(0, 4), nh(1, 3), nh(2, 0)]);
    expect((await consistencyProof(source, 2, 8)).map(hex)).toEqual([nh(1, 1), nh(2, 1)]);
    expect((await consistencyProof(source, 6, 8)).map(hex)).toEqual([nh(1, 2), nh(1, 3), nh(2, 0)]);
    expect(verifyConsistency(6, 8, unhex(CT_ROOTS[6]!), unhex(CT_ROOTS[8]!), [nh(1, 2), nh(1, 3), nh(2, 0)].map(unhex))).toBe(true);
  });
});

describe('ledger leaves', () => {
  const event = { position: 258, hash: 'ab'.repeat(32) };

  it('commit to the position as 8 big-endian bytes followed by the raw chain hash', () => {
    expect(hex(ledgerLeafData(event))).toBe(`0000000000000102${'ab'.repeat(32)}`);
    expect(ledgerLeafHash(event).equals(leafHash(ledgerLeafData(event)))).toBe(true);
    expect(ledgerLeafHash({ ...event, position: 259 }).equals(ledgerLeafHash(event))).toBe(false);
  });

  it('refuse a hash that is not 64 lower-case hex digits, and a position that is not a safe non-negative integer', () => {
    expect(() => ledgerLeafData({ ...event, hash: 'zz'.repeat(32) })).toThrow(/hex/);
    expect(() => ledgerLeafData({ ...event, hash: 'AB'.repeat(32) })).toThrow(/hex/);
    expect(() => ledgerLeafData({ ...event, hash: 'ab'.repeat(31) })).toThrow(/hex/);
    expect(() => ledgerLeafData({ ...event, position: -1 })).toThrow(/position/);
    expect(() => ledgerLeafData({ ...event, position: 1.5 })).toThrow(/position/);
  });
});

describe('MerkleFrontier', () => {
  it('agrees with the reference MTH at every size, and rebuilds from its peaks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const leaves = syntheticLeaves(n);
        const { frontier } = treeOf(leaves);
        expect(frontier.size).toBe(n);
        expect(hex(frontier.root())).toBe(hex(refMth(leaves)));
        const copy = MerkleFrontier.fromPeaks(n, frontier.peaks());
        const next = leafHash(Buffer.from('next'));
        copy.append(next);
        expect(hex(copy.root())).toBe(hex(refMth([...leaves, next])));
      }),
      { numRuns: 60 },
    );
  });

  it('holds one peak per set bit of the size, and refuses peaks that do not fit it', () => {
    const { frontier } = treeOf(syntheticLeaves(13));
    expect(frontier.peaks()).toHaveLength(3);
    expect(() => MerkleFrontier.fromPeaks(13, frontier.peaks().slice(1))).toThrow(/3 peaks/);
    expect(() => MerkleFrontier.fromPeaks(12, frontier.peaks())).toThrow(/2 peaks/);
    expect(() => MerkleFrontier.fromPeaks(1, [Buffer.alloc(31)])).toThrow(/31 bytes/);
    expect(() => MerkleFrontier.empty().append(Buffer.alloc(33))).toThrow(/33 bytes/);
  });
});

describe('proofs from stored nodes', () => {
  it('equal the reference PATH, verify, and take at most O(log² n) lookups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        async ([n, m]) => {
          const leaves = syntheticLeaves(n);
          const { source } = treeOf(leaves);
          const proof = await inclusionProof(source, m, n);
          expect(proof.map(hex)).toEqual(refPath(m, leaves).map(hex));
          expect(source.lookups).toBeLessThanOrEqual((log2Ceil(n) + 1) ** 2);
          const root = await rootAt(source, n);
          expect(hex(root)).toBe(hex(refMth(leaves)));
          expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('equal the reference PROOF for any two sizes, verify, and take at most O(log² n) lookups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        async ([m, n]) => {
          const leaves = syntheticLeaves(n);
          const { source } = treeOf(leaves);
          const proof = await consistencyProof(source, m, n);
          expect(proof.map(hex)).toEqual(refProof(m, leaves).map(hex));
          expect(source.lookups).toBeLessThanOrEqual((log2Ceil(n) + 1) ** 2);
          expect(verifyConsistency(m, n, refMth(leaves.slice(0, m)), refMth(leaves), proof)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('are refused for indices or sizes outside the tree', async () => {
    const { source } = treeOf(syntheticLeaves(5));
    await expect(inclusionProof(source, 5, 5)).rejects.toThrow(/not below/);
    await expect(inclusionProof(source, -1, 5)).rejects.toThrow(/non-negative/);
    await expect(consistencyProof(source, 6, 5)).rejects.toThrow(/exceeds/);
  });
});

describe('verification rejects', () => {
  it('an inclusion proof with a flipped bit, another index, another size, another leaf, or a changed length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.nat(), fc.nat(255))),
        ([n, m, pick, bit]) => {
          const leaves = syntheticLeaves(n);
          const root = refMth(leaves);
          const proof = refPath(m, leaves);
          const leaf = leaves[m]!;
          const at = pick % proof.length;
          expect(verifyInclusion(leaf, m, n, proof.map((p, i) => (i === at ? flipBit(p, bit) : p)), root)).toBe(false);
          expect(verifyInclusion(flipBit(leaf, bit), m, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, m, n, proof, flipBit(root, bit))).toBe(false);
          expect(verifyInclusion(leaf, (m + 1 + (pick % (n - 1))) % n, n, proof, root)).toBe(false);
          // The root does not commit to the size (the signed checkpoint does): a wrong size fails
          // against that size's root, and whenever it changes the shape of the path.
          const otherSize = m + 1 + (pick % n);
          if (otherSize !== n) expect(verifyInclusion(leaf, m, otherSize, proof, refMth(syntheticLeaves(otherSize)))).toBe(false);
          expect(verifyInclusion(leaf, m, 2 * n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, m, m, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, m, n, proof.slice(0, -1), root)).toBe(false);
          expect(verifyInclusion(leaf, m, n, [...proof, leaf], root)).toBe(false);
          expect(verifyInclusion(leaf, n, n, proof, root)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a consistency proof with a flipped bit, other sizes, another root, or a changed length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n), fc.nat(), fc.nat(255))),
        ([m, n, pick, bit]) => {
          const leaves = syntheticLeaves(n);
          const [oldRoot, newRoot] = [refMth(leaves.slice(0, m)), refMth(leaves)];
          const proof = refProof(m, leaves);
          const at = pick % proof.length;
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof.map((p, i) => (i === at ? flipBit(p, bit) : p)))).toBe(false);
          expect(verifyConsistency(m, n, flipBit(oldRoot, bit), newRoot, proof)).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, flipBit(newRoot, bit), proof)).toBe(false);
          // A log that rewrote an old leaf has another new root for the same sizes.
          const forged = leaves.map((l, i) => (i === pick % m ? flipBit(l, bit) : l));
          expect(verifyConsistency(m, n, oldRoot, refMth(forged), refProof(m, forged))).toBe(false);
          const longer = syntheticLeaves(n + 1 + (pick % 5));
          expect(verifyConsistency(m, longer.length, oldRoot, refMth(longer), proof)).toBe(false);
          if (m > 1) expect(verifyConsistency(m - 1, n, refMth(leaves.slice(0, m - 1)), newRoot, proof)).toBe(false);
          expect(verifyConsistency(m, 2 * n, oldRoot, newRoot, proof)).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, newRoot, [...proof, newRoot])).toBe(false);
          expect(verifyConsistency(n, m, newRoot, oldRoot, proof)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the trivial consistency cases unless the roots fit', () => {
    const leaves = syntheticLeaves(4);
    const root = refMth(leaves);
    expect(verifyConsistency(4, 4, root, root, [])).toBe(true);
    expect(verifyConsistency(4, 4, root, refMth(leaves.slice(0, 3)), [])).toBe(false);
    expect(verifyConsistency(4, 4, root, root, [root])).toBe(false);
    expect(verifyConsistency(0, 4, EMPTY_ROOT, root, [])).toBe(true);
    expect(verifyConsistency(0, 4, leaves[0]!, root, [])).toBe(false);
    expect(verifyConsistency(3, 4, refMth(leaves.slice(0, 3)), root, [])).toBe(false);
  });
});
