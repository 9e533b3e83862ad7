/**
 * What a channel entering our Stasis app is to us, carried in its Stasis arguments: one of our
 * legs (created by the worker with our ids), or a call coming in from the dialplan: `inbound`
 * from a carrier (context pbx-from-trunk), `phone` from a desk phone (pbx-internal). The
 * dialplan passes only these constants (asterisk/templates/pbx/extensions.conf); the dialled
 * number is the channel's dialplan extension. Encoded and decoded here only.
 */
export type StasisEntry =
  | { kind: 'leg'; leg: 'a' | 'b'; callUuid: string }
  | { kind: 'inbound' }
  | { kind: 'phone' }
  | { kind: 'unknown'; args: string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeAppArgs(entry: { kind: 'leg'; leg: 'a' | 'b'; callUuid: string }): string {
  return `${entry.leg},${entry.callUuid}`;
}

export function decodeAppArgs(args: readonly string[] | undefined): StasisEntry {
  const [first, second] = args ?? [];
  if ((first === 'a' || first === 'b') && second !== undefined && UUID.test(second))
    return { kind: 'leg', leg: first, callUuid: second };
  if ((first === 'inbound' || first === 'phone') && args?.length === 1) return { kind: first };
  return { kind: 'unknown', args: [...(args ?? [])] };
}
