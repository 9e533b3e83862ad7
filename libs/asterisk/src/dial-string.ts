/**
 * The one place PJSIP dial strings are written. Endpoint ids are ours (extension numbers and
 * `trunk-<id>`); the number dialled through a trunk is validated digits (routes' strip and
 * prepend keep it so), checked again here because a `/`, `&` or `,` would change what Asterisk dials.
 */
const NUMBER = /^[0-9+*#]{1,64}$/;

export function trunkEndpointId(trunkId: number): string {
  return `trunk-${trunkId}`;
}

/** The trunk id of a PJSIP endpoint id (`trunk-4` → 4); null for any other endpoint. */
export function trunkIdOfEndpoint(endpoint: string): number | null {
  const id = Number(/^trunk-([1-9][0-9]{0,9})$/.exec(endpoint)?.[1] ?? NaN);
  return Number.isSafeInteger(id) ? id : null;
}

/** An extension's phones: `PJSIP/<number>`. */
export function extensionDialString(extension: string): string {
  if (!/^[0-9]{1,32}$/.test(extension))
    throw new Error(`not an extension number: ${JSON.stringify(extension).slice(0, 40)}`);
  return `PJSIP/${extension}`;
}

/** A number through a trunk: `PJSIP/<number>@trunk-<id>`. */
export function trunkDialString(trunkId: number, number: string): string {
  if (!Number.isInteger(trunkId) || trunkId < 1) throw new Error(`not a trunk id: ${trunkId}`);
  if (!NUMBER.test(number)) throw new Error(`not a dialable number: ${JSON.stringify(number).slice(0, 40)}`);
  return `PJSIP/${number}@${trunkEndpointId(trunkId)}`;
}
