import { DomainError, ErrorCode, ErrorDetails } from '@pbx/common';
import type { TokenLimits } from '@pbx/auth';

/** A control request on a live call (SPEC section 3, "One writer per call"). */
export type CallCommand =
  | { kind: 'hangup' }
  /** `limits`: the requesting token's, so a limited token transfers only where it could call */
  | { kind: 'transfer'; to: string; limits?: TokenLimits }
  | { kind: 'hold'; leg: 'a' | 'b' }
  | { kind: 'unhold'; leg: 'a' | 'b' }
  /** start or stop recording the call's bridge (SPEC section 3, Recordings) */
  | { kind: 'recording'; action: 'start' | 'stop' };

export type CommandKind = CallCommand['kind'];

/** What the worker answers: done, or the error the API answers with. */
export type CommandOutcome = { ok: true } | { ok: false; code: ErrorCode; message: string; details: ErrorDetails };

/** NOTIFY channels: API → worker (the command's id), worker → API (the id, once it has an outcome). */
export const COMMANDS_CHANNEL = 'pbx_call_commands';
export const OUTCOMES_CHANNEL = 'pbx_call_command_outcomes';

/** How long the API waits for the worker to take a command; after that the command never runs. */
export const COMMAND_DEADLINE_MS = 5_000;

export const done = (): CommandOutcome => ({ ok: true });

export function refused(code: ErrorCode, message: string, details: ErrorDetails = null): CommandOutcome {
  return { ok: false, code, message, details };
}

/** A refusal naming one field of the request (422 validation_failed, destination_denied). */
export function refusedField(code: ErrorCode, field: string, message: string): CommandOutcome {
  return refused(code, code === ErrorCode.ValidationFailed ? 'request validation failed' : message, [
    { field, message },
  ]);
}

/** An outcome as the error the API throws (null when the command was carried out). */
export function outcomeError(outcome: CommandOutcome): DomainError | null {
  return outcome.ok ? null : new DomainError(outcome.code, outcome.message, outcome.details);
}
