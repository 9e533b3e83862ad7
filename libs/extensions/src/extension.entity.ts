import { RecordPolicy } from '@pbx/recordings';
import type { ExtensionState } from '@pbx/call-events';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EXTENSION_STATUSES = ['active', 'disabled'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];
export const EXTENSION_OUTBOUND = ['allowed', 'denied'] as const;
export type ExtensionOutbound = (typeof EXTENSION_OUTBOUND)[number];

/** A desk or soft phone. Asterisk sees active rows through the ps_* views (PJSIP realtime). */
@Entity({ name: 'extensions' })
export class Extension {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 10 })
  number: string;

  @Column({ name: 'display_name', type: 'varchar', length: 64, default: '' })
  displayName: string;

  @Column({ name: 'sip_realm', type: 'varchar', length: 64 })
  sipRealm: string;

  /** md5(number:realm:password): Asterisk can check digests with it, nobody can read the password back. */
  @Column({ name: 'md5_cred', type: 'char', length: 32, select: false })
  md5Cred: string;

  @Column({ name: 'outbound_caller_id', type: 'varchar', length: 32, nullable: true })
  outboundCallerId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ExtensionStatus;

  /** may the phone call numbers outside the PBX (through a trunk): denied unless an admin allows it */
  @Column({ type: 'varchar', length: 8, default: 'denied' })
  outbound: ExtensionOutbound;

  /** may click-to-call ask the phone to answer by itself (`auto_answer`): it turns the phone into a room microphone */
  @Column({ name: 'auto_answer_allowed', type: 'boolean', default: false })
  autoAnswerAllowed: boolean;

  /** `always`: every call this extension makes or answers is recorded (SPEC section 3, Recordings) */
  @Column({ type: 'varchar', length: 6, default: 'never' })
  record: RecordPolicy;

  /** live, from Asterisk (SPEC section 3, Live state): written by the worker's ExtensionStateWatcher */
  @Column({ type: 'varchar', length: 16, default: 'unavailable' })
  state: ExtensionState;

  @Column({ name: 'state_changed_at', type: 'timestamptz', nullable: true })
  stateChangedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
