import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EXTENSION_STATUSES = ['active', 'disabled'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];

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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
