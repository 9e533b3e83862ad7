import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const RING_STRATEGIES = ['ringall', 'sequential'] as const;
export type RingStrategy = (typeof RING_STRATEGIES)[number];

/**
 * Extensions rung together (`ringall`: the first answer wins) or one after another
 * (`sequential`: each for `member_timeout`), for at most `ring_timeout` in all.
 */
@Entity({ name: 'ring_groups' })
export class RingGroup {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'ringall' })
  strategy: RingStrategy;

  /** extension numbers, in ringing order */
  @Column({ type: 'text', array: true })
  members: string[];

  /** seconds each member rings (sequential) */
  @Column({ name: 'member_timeout', type: 'integer', default: 15 })
  memberTimeout: number;

  /** seconds the whole group rings */
  @Column({ name: 'ring_timeout', type: 'integer', default: 30 })
  ringTimeout: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
