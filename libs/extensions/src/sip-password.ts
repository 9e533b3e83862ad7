import { randomBytes } from 'node:crypto';

/**
 * The SIP password rule (SPEC §5): a PBX on the internet is scanned for weak digest passwords
 * within hours, and the first guesses are the extension number and its variations.
 */
export const SIP_PASSWORD_MIN = 12;
export const SIP_PASSWORD_MAX = 128;
export const SIP_PASSWORD_SHORT = `password must be at least ${SIP_PASSWORD_MIN} characters`;
export const SIP_PASSWORD_HAS_NUMBER = 'password must not contain the extension number';

/** Why `password` is refused for extension `number`, or null when it is acceptable. */
export function sipPasswordProblem(password: string, number: string): string | null {
  if (password.length < SIP_PASSWORD_MIN) return SIP_PASSWORD_SHORT;
  if (password.includes(number)) return SIP_PASSWORD_HAS_NUMBER;
  return null;
}

/**
 * 24 base64url characters (144 random bits). Drawn again in the rare case the random text
 * happens to contain the number, so a generated password always passes the rule it enforces.
 */
export function generateSipPassword(number: string, random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const password = random(18).toString('base64url');
    if (sipPasswordProblem(password, number) === null) return password;
  }
}
