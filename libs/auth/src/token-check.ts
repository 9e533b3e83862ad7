import { DomainError, ErrorCode } from '@pbx/common';
import { AuthContext } from './scope';
import { TokensService } from './tokens.service';

/** `Authorization: Bearer <token>`, any spelling of Bearer */
export const BEARER = /^Bearer ([^\s]+)$/i;

/** The address's budget for requests without a known token: `reserve` throws 429 when spent. */
export interface AddressBudget {
  reserve(): Promise<void>;
  release(): Promise<void>;
}

/**
 * The front door's token check, shared by the guard and the stream's upgrade: a token verified
 * in the last seconds passes at once; any other first reserves a request of the address's
 * budget (no database work once that is spent), is checked by shape and looked up (401), and
 * gives the reservation back when valid.
 */
export async function checkToken(
  tokens: TokensService,
  token: string | undefined,
  budget: AddressBudget,
): Promise<AuthContext> {
  const recent = token === undefined ? undefined : tokens.recentlyVerified(token);
  if (recent) return recent;
  await budget.reserve();
  if (token === undefined) throw new DomainError(ErrorCode.Unauthorized, 'missing bearer token');
  const auth = tokens.acceptsShape(token) ? await tokens.verify(token) : null;
  if (!auth) throw new DomainError(ErrorCode.Unauthorized, 'invalid token');
  await budget.release();
  return auth;
}
