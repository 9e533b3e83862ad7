import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const TRUNK_STATUSES = ['active', 'disabled'] as const;
export type TrunkStatus = (typeof TRUNK_STATUSES)[number];
export const TRUNK_TRANSPORTS = ['udp', 'tcp'] as const;
export type TrunkTransport = (typeof TRUNK_TRANSPORTS)[number];

/** A SIP carrier. Asterisk sees active rows as endpoint `trunk-<id>` through the ps_* views. */
@Entity({ name: 'trunks' })
export class Trunk {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 253 })
  host: string;

  @Column({ type: 'integer', default: 5060 })
  port: number;

  @Column({ type: 'varchar', length: 3, default: 'udp' })
  transport: TrunkTransport;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username: string | null;

  /** Outbound digest password for the carrier: Asterisk needs it in clear; the API never returns it. */
  @Column({ type: 'varchar', length: 128, nullable: true, select: false })
  password: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: TrunkStatus;

  /** Where its calls come from (CIDR blocks): Asterisk identifies the carrier by source address, without port. */
  @Column({ name: 'inbound_addresses', type: 'cidr', array: true, default: () => "'{}'" })
  inboundAddresses: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The PJSIP endpoint name Asterisk knows this trunk by. */
