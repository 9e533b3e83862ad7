import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiNoAuth } from '@pbx/common';
import type { TokenLimits } from './token-limits';

export const SCOPES = ['admin', 'calls'] as const;
export type Scope = (typeof SCOPES)[number];

export const REQUIRED_SCOPES = 'pbx:required-scopes';
export const PUBLIC_ROUTE = 'pbx:public-route';

/** The token needs one of these scopes (`admin` always passes). */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);
/** No token needed (health, docs, metrics); the OpenAPI document says so (`security: []`). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiNoAuth());

export interface AuthContext {
  tokenId: number;
  scopes: Scope[];
  /** absent for an unlimited token */
  limits?: TokenLimits;
}
