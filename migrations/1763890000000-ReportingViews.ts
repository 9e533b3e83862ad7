import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read-only reporting (the `pbx_reporting` role, granted by libs/database/src/roles.ts): calls
 * and CDRs without what a report has no use for and a CRM may have put there: the `X-` headers
 * of click-to-call, the token that placed the call and the route plan. Tokens, webhook secrets,
 * trunk passwords and SIP credentials are in no reporting view.
 */
export class ReportingViews1763890000000 implements MigrationInterface {
  name = 'ReportingViews1763890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW reporting_cdrs AS
      SELECT id, call_uuid, from_extension, to_phone, caller_id, trunk_id, trunk_name, routing_mode,
             started_at, answered_at, ended_at, duration, billsec, disposition,
             hangup_cause, hangup_cause_text, hangup_by,
             a_leg_uuid, a_started_at, a_answered_at, a_ended_at,
             b_leg_uuid, b_started_at, b_answered_at, b_ended_at, created_at
        FROM cdrs`);
    await q.query(`
      CREATE VIEW reporting_calls AS
      SELECT call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id,
             trunk_id, trunk_name, routing_mode, disposition, hangup_cause, hangup_cause_text, hangup_by,
             created_at, updated_at, ended_at
        FROM calls`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW reporting_calls`);
    await q.query(`DROP VIEW reporting_cdrs`);
  }
}
