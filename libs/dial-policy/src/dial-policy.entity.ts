import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The one row (id 1) of the dial policy every call leaving through a trunk obeys. */
@Entity({ name: 'dial_policy' })
export class DialPolicyRow {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id: number;

  @Column({ name: 'allowed_prefixes', type: 'text', array: true, default: () => "'{}'" })
  allowedPrefixes: string[];

  @Column({ name: 'denied_prefixes', type: 'text', array: true, default: () => "'{}'" })
  deniedPrefixes: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
