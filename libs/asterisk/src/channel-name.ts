/**
 * The PJSIP endpoint of a channel, from its name `PJSIP/<endpoint>-<sequence>` (the sequence
 * is 8 hex digits): `PJSIP/2001-0000001a` → `2001`, `PJSIP/trunk-4-00000003` → `trunk-4`.
 * Null for any other technology (Local/…) or shape.
 */
export function endpointOfChannelName(name: string | null | undefined): string | null {
  const match = /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(name ?? '');
  return match ? match[1] : null;
}
