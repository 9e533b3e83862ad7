import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@pbx/common';
import { allowsExtension, allowsTrunk, TokenLimits } from '@pbx/auth';
import { DialPolicyService } from '@pbx/dial-policy';
import { ExtensionsService } from '@pbx/extensions';
import { RoutesService } from '@pbx/routes';
import { CommandOutcome, refusedField } from './command';

/** Where a blind transfer goes: one of our extensions, or a number through a trunk. */
export type TransferTarget =
  | { kind: 'extension'; number: string }
  | { kind: 'number'; number: string; trunkId: number; trunkName: string; dial: string; callerId: string };

/**
 * Resolves a transfer's `to` (SPEC section 3) as the transferring extension would dial it: an
 * active extension other than itself, or a number only when that extension may call out
 * (`outbound: allowed`), through the outbound routes and the dial policy, shown its outbound
 * caller id. The same rules for the API and a phone's REFER: a transfer never reaches a trunk
 * the extension could not have dialled itself.
 */
@Injectable()
export class TransferTargets {
  constructor(
    private readonly extensions: ExtensionsService,
    private readonly routes: RoutesService,
    private readonly policy: DialPolicyService,
  ) {}

  async resolve(to: string, transferor: string, limits?: TokenLimits): Promise<TransferTarget | CommandOutcome> {
    const forbidden = (message: string) => refusedField(ErrorCode.Forbidden, 'to', message);
    const invalid = (message: string) => refusedField(ErrorCode.ValidationFailed, 'to', message);
    if (to === transferor) return invalid(`extension ${to} cannot transfer the call to itself`);
    const extension = await this.extensions.findByNumber(to);
    if (extension) {
      if (extension.status !== 'active') return invalid(`extension ${to} is disabled`);
      if (!allowsExtension(limits, to)) return forbidden(`this token may not transfer to extension ${to}`);
      return { kind: 'extension', number: to };
    }
    const phone = await this.extensions.findByNumber(transferor);
    if (phone?.outbound !== 'allowed')
      return refusedField(
        ErrorCode.DestinationDenied,
        'to',
        `extension ${transferor} may not call out (outbound: denied)`,
      );
    // the number as asked first: a denied destination is denied whether or not a route would take it
    const asked = await this.policy.check(to, to);
    if (!asked.allowed) return refusedField(ErrorCode.DestinationDenied, 'to', asked.reason);
    const resolved = await this.routes.resolve(to.replace(/^\+/, ''));
    if (!resolved || resolved.trunks.length === 0) return invalid(`no outbound route matches ${to}`);
    const trunks = resolved.trunks.filter((t) => allowsTrunk(limits, t.id));
    if (trunks.length === 0) return forbidden(`this token may not call ${to}: no trunk of its route is in its limits`);
    const verdict = await this.policy.check(to, resolved.dialNumber);
    if (!verdict.allowed) return refusedField(ErrorCode.DestinationDenied, 'to', verdict.reason);
    const trunk = trunks[0];
    return {
      kind: 'number',
      number: to,
      trunkId: trunk.id,
      trunkName: trunk.name,
      dial: resolved.dialNumber,
      callerId: phone.outboundCallerId ?? phone.number,
    };
  }
}

export const isTarget = (value: TransferTarget | CommandOutcome): value is TransferTarget => 'kind' in value;
