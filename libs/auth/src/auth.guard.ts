import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '@pbx/common';
import { AuthContext, PUBLIC_ROUTE, REQUIRED_SCOPES, Scope } from './scope';
import { TokensService } from './tokens.service';

export type AuthenticatedRequest = Request & { auth?: AuthContext };

/** Global guard: every route needs a bearer token with an allowed scope unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new DomainError(ErrorCode.Unauthorized, 'missing bearer token');
    const auth = await this.tokens.verify(match[1]);
    if (!auth) throw new DomainError(ErrorCode.Unauthorized, 'invalid token');
    request.auth = auth;
    const required = this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? ['admin'];
    if (auth.scopes.includes('admin') || required.some((scope) => auth.scopes.includes(scope))) return true;
    throw new DomainError(ErrorCode.Forbidden, `this route needs scope ${required.join(' or ')}`, { required_scopes: required });
  }
}
