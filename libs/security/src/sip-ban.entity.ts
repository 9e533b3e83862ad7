import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A source address Asterisk refuses (ps_acls) until `expires_at`. */
@Entity({ name: 'sip_bans' })
export class SipBan {
  @PrimaryColumn({ type: 'inet' })
  address: string;

  @Column({ type: 'integer' })
  failures: number;

  @Column({ name: 'banned_at', type: 'timestamptz' })
  bannedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
