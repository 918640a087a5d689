/**
 * The RFC 9162 (Certificate Transparency v2) Merkle tree over the global log: leaf and node hashing,
 * an incremental frontier, proofs built from stored perfect-subtree hashes, and proof verification.
 * Pure: node:crypto only. Sizes and indices are plain numbers (safe integers), so bit tests use
 * arithmetic rather than JavaScript's 32-bit operators.
 */
import { hash } from 'node:crypto';

const HASH_BYTES = 32;
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// One-shot crypto.hash over one buffer: a Hash object per leaf and per node costs as much as the
// event's own chain hash, and verification makes about two of them per event.
const sha256 = (input: Uint8Array): Buffer => hash('sha256', input, 'buffer');

/** RFC 9162 MTH({}): SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** What a ledger leaf commits to: the event's global position (8-byte big-endian unsigned) followed by the 32 raw bytes of its chain hash (hex `hash` field). */
export function ledgerLeafData(event: { readonly position: number; readonly hash: string }): Buffer {
  if (!Number.isSafeInteger(event.position) || event.position < 0) {
    throw new RangeError(`position ${event.position} is not a non-negative safe integer`);
  }
  // Buffer.from(…, 'hex') silently stops at the first bad character: check the text first.
  if (!/^[0-9a-f]{64}$/.test(event.hash)) {
    throw new RangeError(`hash ${JSON.stringify(event.hash)} is not 64 lower-case hex digits`);
  }
  const data = Buffer.allocUnsafe(8 + HASH_BYTES);
  data.writeBigUInt64BE(BigInt(event.position), 0);
  data.write(event.hash, 8, 'hex');
  return data;
}

export function ledgerLeafHash(event: { readonly position: number; readonly hash: string }): Buffer {
  return leafHash(ledgerLeafData(event));
}

/** One completed perfect subtree: level 0 = a leaf hash; node (level, index) covers leaves [index*2^level, (index+1)*2^level). */
export interface MerkleNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/** Levels of the perfect subtrees that make up a tree of `size` leaves, highest first (= left to right). */
function peakLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0, rest = size; rest > 0; level += 1, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) levels.push(level);
  }
  return levels.reverse();
}

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} ${value} is not a non-negative safe integer`);
}

function checkHash(name: string, value: Uint8Array): void {
  if (value.length !== HASH_BYTES) throw new RangeError(`${name} is ${value.length} bytes, not ${HASH_BYTES}`);
}

/** RFC 9162's MTH as a fold of perfect-subtree roots, right to left: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
function foldPeaks(peaks: readonly Buffer[]): Buffer {
  let root = peaks[peaks.length - 1];
  if (root === undefined) return EMPTY_ROOT;
  for (let i = peaks.length - 2; i >= 0; i -= 1) root = nodeHash(peaks[i]!, root);
  return root;
}

/** Incremental tree in O(log n) memory ("compact range" of perfect-subtree roots). */
export class MerkleFrontier {
  private constructor(
    private leaves: number,
    private readonly stack: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Rebuilds from the perfect-subtree roots that make up `size` (one per set bit of size, highest level first, i.e. left to right). */
  static fromPeaks(size: number, peaks: readonly Buffer[]): MerkleFrontier {
    checkSize('size', size);
    const expected = peakLevels(size).length;
    if (peaks.length !== expected) throw new RangeError(`a tree of ${size} leaves has ${expected} peaks, not ${peaks.length}`);
    peaks.forEach((peak, i) => checkHash(`peak ${i}`, peak));
    return new MerkleFrontier(size, peaks.map((peak) => Buffer.from(peak)));
  }

  get size(): number {
    return this.leaves;
  }

  /** The perfect-subtree roots, left to right. */
  peaks(): Buffer[] {
    return [...this.stack];
  }

  /** Adds leaf hash number `size`; returns every node completed by it: the leaf itself (level 0) and each parent that became complete, in ascending level. */
  append(leaf: Buffer): MerkleNode[] {
    checkHash('leaf', leaf);
    const index = this.leaves;
    let carry: Buffer = Buffer.from(leaf);
    const completed: MerkleNode[] = [{ level: 0, index, hash: carry }];
    // Each trailing 1-bit of the old size is a peak of the same level that the new node completes.
    let level = 0;
    for (let rest = index; rest % 2 === 1; rest = Math.floor(rest / 2)) {
      carry = nodeHash(this.stack.pop()!, carry);
      level += 1;
      completed.push({ level, index: Math.floor(index / 2 ** level), hash: carry });
    }
    this.stack.push(carry);
    this.leaves += 1;
    return completed;
  }

  /** RFC 9162 MTH of the leaves so far (EMPTY_ROOT for 0). */
  root(): Buffer {
    return foldPeaks(this.stack);
  }
}

/** Where stored perfect-subtree hashes come from (a read model table, an array, ...). Only nodes whose whole range lies below the tree size are ever asked for. */
export interface MerkleNodeSource {
  node(level: number, index: number): Promise<Buffer> | Buffer;
}

/** Largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/**
 * MTH(D[start:start+size]) for a range of the RFC recursion: such a range always starts at a
 * multiple of a power of two at least its size, so it is the fold of the aligned perfect subtrees
 * given by the bits of `size`, at most log2(size)+1 lookups.
 */
async function subtreeHash(source: MerkleNodeSource, start: number, size: number): Promise<Buffer> {
  const peaks: Buffer[] = [];
  let offset = start;
  for (const level of peakLevels(size)) {
    const width = 2 ** level;
    if (offset % width !== 0) throw new Error(`range [${start}, ${start + size}) is not aligned to the RFC 9162 recursion`);
    const node = await source.node(level, offset / width);
    checkHash(`node (${level}, ${offset / width})`, node);
    peaks.push(node);
    offset += width;
  }
  return foldPeaks(peaks);
}

export async function rootAt(source: MerkleNodeSource, treeSize: number): Promise<Buffer> {
  checkSize('tree size', treeSize);
  return treeSize === 0 ? EMPTY_ROOT : subtreeHash(source, 0, treeSize);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the audit path of leaf `leafIndex` in the tree of `treeSize` leaves, from the leaf up. */
export async function inclusionProof(source: MerkleNodeSource, leafIndex: number, treeSize: number): Promise<Buffer[]> {
  checkSize('leaf index', leafIndex);
  checkSize('tree size', treeSize);
  if (leafIndex >= treeSize) throw new RangeError(`leaf index ${leafIndex} is not below tree size ${treeSize}`);
  // Walk down from the root, noting each sibling subtree; the proof lists them bottom-up.
  const siblings: Array<{ start: number; size: number }> = [];
  let start = 0;
  let size = treeSize;
  let m = leafIndex;
  while (size > 1) {
    const k = split(size);
    if (m < k) {
      siblings.push({ start: start + k, size: size - k });
      size = k;
    } else {
      siblings.push({ start, size: k });
      start += k;
      size -= k;
      m -= k;
    }
  }
  const proof: Buffer[] = [];
  for (let i = siblings.length - 1; i >= 0; i -= 1) proof.push(await subtreeHash(source, siblings[i]!.start, siblings[i]!.size));
  return proof;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]); empty when fromSize is 0 or equals toSize. */
export async function consistencyProof(source: MerkleNodeSource, fromSize: number, toSize: number): Promise<Buffer[]> {
  checkSize('from size', fromSize);
  checkSize('to size', toSize);
  if (fromSize > toSize) throw new RangeError(`from size ${fromSize} exceeds to size ${toSize}`);
  if (fromSize === 0 || fromSize === toSize) return [];
  // SUBPROOF(m, D[start:start+size], b), unrolled; `whole` is b ("m is the whole original tree").
  const parts: Array<{ start: number; size: number }> = [];
  let start = 0;
  let size = toSize;
  let m = fromSize;
  let whole = true;
  while (m !== size) {
    const k = split(size);
    if (m <= k) {
      parts.push({ start: start + k, size: size - k });
      size = k;
    } else {
      parts.push({ start, size: k });
      start += k;
      size -= k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) parts.push({ start, size });
  const proof: Buffer[] = [];
  for (let i = parts.length - 1; i >= 0; i -= 1) proof.push(await subtreeHash(source, parts[i]!.start, parts[i]!.size));
  return proof;
}

const isHash = (value: unknown): value is Buffer => Buffer.isBuffer(value) && value.length === HASH_BYTES;
const isSize = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, with the trivial cases: equal sizes need equal roots and no proof; size 0 needs the empty root and no proof. */
export function verifyConsistency(fromSize: number, toSize: number, fromRoot: Buffer, toRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!isSize(fromSize) || !isSize(toSize) || fromSize > toSize) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (fromSize === 0) return proof.length === 0 && fromRoot.equals(EMPTY_ROOT);
  if (fromSize === toSize) return proof.length === 0 && fromRoot.equals(toRoot);
  if (proof.length === 0) return false;
  // When fromSize is a power of two, the old root is itself a node of the new tree and is not sent.
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(fromRoot) && sr.equals(toRoot) && sn === 0;
}
