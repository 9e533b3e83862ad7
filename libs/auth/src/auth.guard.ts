import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@pbx/common';
import { AddressGate, TokenBudget } from '@pbx/throttling';
import { AuthContext, PUBLIC_ROUTE, REQUIRED_SCOPES, Scope } from './scope';
import { BEARER, checkToken } from './token-check';
import { TokensService } from './tokens.service';

export type AuthenticatedRequest = Request & { auth?: AuthContext };

/**
 * Global guard, the API's front door, in this order: public routes spend their address's
 * budget; a token not verified in the last seconds first reserves a request of its address's
 * unauthenticated budget (no database work once that is spent), then is checked by shape and
 * looked up; a known token then spends its own budget for the route's group (whatever the
 * spelling of `Bearer`), and finally needs an allowed scope.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly addresses: AddressGate,
    private readonly budget: TokenBudget,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      await this.addresses.publicRoute(request, response);
      return true;
    }
    const auth = await this.authenticate(request, response);
    request.auth = auth;
    await this.budget.charge(context, auth.tokenId);
    const required = this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? ['admin'];
    if (auth.scopes.includes('admin') || required.some((scope) => auth.scopes.includes(scope))) return true;
    throw new DomainError(ErrorCode.Forbidden, `this route needs scope ${required.join(' or ')}`, {
      required_scopes: required,
    });
  }

  private authenticate(request: Request, response: Response): Promise<AuthContext> {
    return checkToken(this.tokens, BEARER.exec(request.headers.authorization ?? '')?.[1], {
      reserve: () => this.addresses.reserve(request, response),
      release: () => this.addresses.release(request),
    });
  }
}
