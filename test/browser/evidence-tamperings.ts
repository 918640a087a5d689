import { generateKeyPairSync } from 'node:crypto';
import { canonicalJson } from '#event-store';

/**
 * Ways an evidence bundle can be tampered with after export, each written back in canonical form
 * (so the edit is caught by what it breaks, not by the byte-exact form check) unless the edit is
 * about the form itself. Shared by the verifier's spec and the browser parity spec (decision 031).
 */
export interface Tampering {
  readonly name: string;
  /** The check expected to fail first. */
  readonly firstFailure: string;
  readonly apply: (bundleText: string) => string;
}

interface MutableEvent {
  streamId: string;
  revision: number;
  position: number;
  type: string;
  hash: string;
  data: Record<string, unknown>;
  inclusionProof: string[];
}

interface MutableBundle {
  subject: { batchId: string; upstream: boolean };
  publicKey: string;
  checkpoint: { rootHash: string; signature: string };
  events: MutableEvent[];
  bundleSignature: string;
}

/** An organisation-like name that would run script if it were ever parsed as HTML. */
export const PLANTED_HTML = '<img src=x onerror=window.__pwned=1>';

const edit = (change: (bundle: MutableBundle) => void) => (text: string): string => {
  const bundle = JSON.parse(text) as MutableBundle;
  change(bundle);
  return canonicalJson(bundle);
};

/** Another hex digit in the same place. */
const flipHex = (hex: string, at = hex.length - 1): string => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
/** Another base64 letter in the middle, so the text stays canonical base64 of other bytes. */
const flipBase64 = (text: string): string => {
  const at = Math.floor(text.length / 2);
  return text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
};

/** An event with a later one in its stream (one past the first when there is one), so dropping it breaks a link. */
function middleOfAStream(bundle: MutableBundle): number {
  const hasLater = (event: MutableEvent): boolean => bundle.events.some((later) => later.streamId === event.streamId && later.revision > event.revision);
  const at = bundle.events.findIndex((event) => event.revision > 0 && hasLater(event));
  if (at !== -1) return at;
  const first = bundle.events.findIndex(hasLater);
  if (first === -1) throw new Error('the bundle has no stream of two events');
  return first;
}

function withMass(bundle: MutableBundle): MutableEvent {
  const event = bundle.events.find((e) => typeof e.data.massGrams === 'number');
  if (event === undefined) throw new Error('no event with a mass in the bundle');
  return event;
}

export const TAMPERINGS: readonly Tampering[] = [
  { name: "an event's payload edited", firstFailure: 'hash chains', apply: edit((b) => void (withMass(b).data.massGrams = (withMass(b).data.massGrams as number) + 1)) },
  {
    name: 'two events reordered',
    firstFailure: 'order',
    apply: edit((b) => {
      const [first, second] = [b.events[1]!, b.events[2]!];
      b.events[1] = second;
      b.events[2] = first;
    }),
  },
  { name: 'an event dropped from the middle of a stream', firstFailure: 'hash chains', apply: edit((b) => void b.events.splice(middleOfAStream(b), 1)) },
  { name: 'the checkpoint root altered', firstFailure: 'checkpoint signature', apply: edit((b) => void (b.checkpoint.rootHash = flipHex(b.checkpoint.rootHash))) },
  { name: 'the checkpoint signature altered', firstFailure: 'checkpoint signature', apply: edit((b) => void (b.checkpoint.signature = flipBase64(b.checkpoint.signature))) },
  { name: 'the bundle signature altered', firstFailure: 'bundle signature', apply: edit((b) => void (b.bundleSignature = flipBase64(b.bundleSignature))) },
  {
    name: 'the public key replaced by another',
    firstFailure: 'checkpoint signature',
    apply: edit((b) => void (b.publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString())),
  },
  { name: 'the public key garbled', firstFailure: 'public key', apply: edit((b) => void (b.publicKey = b.publicKey.replace('PUBLIC KEY-----\n', 'PUBLIC KEY-----\n#'))) },
  { name: 'an inclusion proof truncated', firstFailure: 'inclusion proofs', apply: edit((b) => void b.events.find((e) => e.inclusionProof.length > 1)!.inclusionProof.pop()) },
  { name: "an event's stream hash changed", firstFailure: 'hash chains', apply: edit((b) => void (b.events[middleOfAStream(b)]!.hash = flipHex(b.events[middleOfAStream(b)]!.hash, 0))) },
  { name: 'a space added after export', firstFailure: 'format', apply: (text) => `${text.slice(0, 1)} ${text.slice(1)}` },
  { name: 'the file cut short', firstFailure: 'format', apply: (text) => text.slice(0, Math.floor(text.length / 2)) },
  { name: 'HTML planted in the subject', firstFailure: 'bundle signature', apply: edit((b) => void (b.subject.batchId = PLANTED_HTML)) },
];
