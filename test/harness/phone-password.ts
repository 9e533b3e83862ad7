const LETTERS = 'abcdefghij';

/**
 * A desk phone's SIP password that passes the PBX's rule (at least 12 characters, not containing
 * the extension number): the number spelled in letters, so each phone still gets its own, and no
 * digit at all, so no number can be inside it.
 */
export function phonePassword(number: string, tag = 'secret'): string {
  return `pw-${number.replace(/[0-9]/g, (d) => LETTERS[Number(d)])}-${tag}`.padEnd(12, '-');
}
