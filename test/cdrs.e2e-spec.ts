import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';

/** Call history search: date range, extension, phone, disposition, cursor paging. */
describe('GET /api/pbx/cdrs', () => {
  let api: TestApi;
  let db: Client;
  let token: string;
  const extension = uniqueNumber();
  const base = Date.parse('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    api = await startTestApi();
    token = await api.newToken(['calls']);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    for (let i = 0; i < 25; i++) {
      const started = new Date(base + i * 60_000);
      await db.query(
        `INSERT INTO cdrs (call_uuid, from_extension, extension, from_number, to_phone, to_number, caller_id, routing_mode, started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
         VALUES ($1, $2, $2, $2, $3, $3, $2, 'direct_gateway', $4, $5, 30, $6, $7, $8)`,
        [
          randomUUID(),
          extension,
          i % 5 === 0 ? '0900000005' : '0911111111',
          started,
          new Date(started.getTime() + 30_000),
          i % 2 ? 20 : 0,
          i % 2 ? 'ANSWERED' : 'NO ANSWER',
          randomUUID(),
        ],
      );
    }
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { extension, limit: '10', ...(cursor ? { cursor } : {}) };
      const response = await api.get(`/api/pbx/cdrs?${new URLSearchParams(query)}`, token).expect(200);
      seen.push(...response.body.data.map((c: { started_at: string }) => c.started_at));
      cursor = response.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(new Set(seen).size).toBe(25);
  });

  it('filters by date range, phone and disposition', async () => {
    const from = new Date(base + 10 * 60_000).toISOString();
    const to = new Date(base + 20 * 60_000).toISOString();
    const range = await api.get(`/api/pbx/cdrs?${new URLSearchParams({ extension, from, to })}`, token).expect(200);
    expect(range.body.data).toHaveLength(10);
    const phone = await api
      .get(`/api/pbx/cdrs?${new URLSearchParams({ extension, phone: '0900000005' })}`, token)
      .expect(200);
    expect(phone.body.data).toHaveLength(5);
    const answered = await api
      .get(`/api/pbx/cdrs?${new URLSearchParams({ extension, disposition: 'ANSWERED' })}`, token)
      .expect(200);
    expect(answered.body.data).toHaveLength(12);
    expect(answered.body.data.every((c: { disposition: string }) => c.disposition === 'ANSWERED')).toBe(true);
  });

  it.each([
    ['limit', { limit: '0' }],
    ['limit', { limit: '501' }],
    ['from', { from: 'yesterday' }],
    ['disposition', { disposition: 'MAYBE' }],
    ['cursor', { cursor: 'bm90LWEtY3Vyc29y' }],
    ['phone', { phone: "0'; DROP TABLE cdrs;--" }],
    ['unknown', { unknown: '1' }],
  ])('a bad %s is a 422 naming it', async (field, query) => {
    const response = await api
      .get(`/api/pbx/cdrs?${new URLSearchParams(query as Record<string, string>)}`, token)
      .expect(422);
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
