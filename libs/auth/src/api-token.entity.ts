import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Scope } from './scope';

@Entity({ name: 'api_tokens' })
export class ApiToken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  /** sha256 of the token: tokens are 256-bit random, so a fast hash is enough. */
  @Column({ name: 'token_hash', type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** limits of a `calls` token (token-limits.ts); null = unlimited */
  @Column({ type: 'varchar', length: 10, array: true, nullable: true })
  extensions: string[] | null;

  @Column({ name: 'trunk_ids', type: 'integer', array: true, nullable: true })
  trunkIds: number[] | null;

  @Column({ name: 'max_concurrent_calls', type: 'integer', nullable: true })
  maxConcurrentCalls: number | null;
}
