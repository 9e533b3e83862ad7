import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A number the PBX may present to customers, optionally tied to the trunk that owns it. */
@Entity({ name: 'caller_ids' })
export class CallerId {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  number: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  label: string;

  @Column({ name: 'trunk_id', type: 'integer', nullable: true })
  trunkId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
