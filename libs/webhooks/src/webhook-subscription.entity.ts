import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { PbxEventType } from '@pbx/call-events';
import { WebhookFormat } from './webhook-renderer';

/** Where and how call events are sent. The secret signs every request and is shown only once. */
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscription {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  @Column({ type: 'text', array: true })
  events: PbxEventType[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'varchar', length: 32, default: 'zorio' })
  format: WebhookFormat;

  /** Needed in clear to sign; read only by the dispatcher, never returned by the API. */
  @Column({ type: 'varchar', length: 100, select: false })
  secret: string;

  @Column({ name: 'secret_prefix', type: 'varchar', length: 16 })
  secretPrefix: string;

  /** Why the PBX turned the subscription off (the receiver answered 410 Gone). */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
