import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  ManyToOne,
  JoinColumn,
} from 'typeorm';

/**
 * Default routing for calls placed without a trunk: the longest matching pattern wins, its
 * trunks are tried in order (next one on congestion or unavailability).
 */
@Entity({ name: 'outbound_routes' })
export class OutboundRoute {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** digits and + matched as a prefix; X matches any digit; '' matches every number */
  @Column({ type: 'varchar', length: 40 })
  pattern: string;

  /** leading digits removed before dialing */
  @Column({ type: 'integer', default: 0 })
  strip: number;

  /** prefix added after stripping */
  @Column({ type: 'varchar', length: 16, default: '' })
  prepend: string;

  @OneToMany(() => OutboundRouteTrunk, (t) => t.route, { cascade: true, eager: true })
  trunks: OutboundRouteTrunk[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'outbound_route_trunks' })
export class OutboundRouteTrunk {
  @PrimaryColumn({ name: 'route_id', type: 'integer' })
  routeId: number;

  @PrimaryColumn({ type: 'integer' })
  position: number;

  @Column({ name: 'trunk_id', type: 'integer' })
  trunkId: number;

  @ManyToOne(() => OutboundRoute, (r) => r.trunks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'route_id' })
  route: OutboundRoute;
}
