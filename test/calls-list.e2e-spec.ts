import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';

/**
 * Every call is findable (SPEC section 2): GET /api/pbx/calls (live and ended) and the CDR
 * filters return the right calls of each direction. `phone` is the external party (the number
 * called for click-to-call and outbound, the caller for inbound, none for internal), `extension`
 * the call's extension column, one leading `+` ignored on both sides. Rows are inserted as the
 * writer writes them, each in calls and (once ended) in cdrs, inside a window of their own.
 */
describe('GET /api/pbx/calls and the CDR filters, every direction', () => {
  let api: TestApi;
  let db: Client;
  let token: string;
  const extA = uniqueNumber();
  let extB = uniqueNumber();
  while (extB === extA) extB = uniqueNumber();
  const phone = `09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const did = `8428${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  // a minute of its own in 2031, so rows of other tests never fall inside the window
  const base = Date.parse('2031-01-01T00:00:00Z') + Math.floor(Math.random() * 500_000) * 60_000;
  const window = { from: new Date(base).toISOString(), to: new Date(base + 3_600_000).toISOString() };

  interface Row {
    name: string;
    direction: 'click_to_call' | 'inbound' | 'outbound' | 'internal';
    from: string;
    to: string;
    did?: string;
    extension: string | null;
    live?: boolean;
    /** seconds into base's minute, microseconds allowed (rows written by SQL's now() have them) */
    at: string;
  }
  const rows: Row[] = [
    { name: 'c2c', direction: 'click_to_call', from: extA, to: phone, extension: extA, at: '01.000' },
    { name: 'outbound', direction: 'outbound', from: extA, to: `+${phone}`, extension: extA, at: '02.000' },
    { name: 'inbound', direction: 'inbound', from: `+${phone}`, to: did, did, extension: extB, at: '03.000' },
    { name: 'missed', direction: 'inbound', from: phone, to: did, did, extension: null, at: '04.000' },
    { name: 'internal', direction: 'internal', from: extB, to: extA, extension: extB, at: '05.000' },
    // two live calls started in the same microsecond: the cursor breaks the tie on call_uuid
    { name: 'liveInternal', direction: 'internal', from: extA, to: extB, extension: extA, live: true, at: '06.123456' },
    {
      name: 'liveInbound',
      direction: 'inbound',
      from: phone,
      to: did,
      did,
      extension: null,
      live: true,
      at: '06.123456',
    },
  ];
  const uuid: Record<string, string> = {};
  const names = (items: Array<{ call_uuid: string }>) =>
    items.map((c) => Object.keys(uuid).find((k) => uuid[k] === c.call_uuid) ?? c.call_uuid).sort();
  const ended = rows.filter((r) => !r.live).map((r) => r.name);

  beforeAll(async () => {
    api = await startTestApi();
    token = await api.newToken(['calls']);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    const minute = new Date(base).toISOString().slice(0, 17); // YYYY-MM-DDTHH:MM:
    for (const row of rows) {
      const callUuid = randomUUID();
      uuid[row.name] = callUuid;
      const at = `${minute}${row.at}Z`;
      const c2c = row.direction === 'click_to_call';
      await db.query(
        `INSERT INTO calls (call_uuid, status, direction, a_leg_uuid, from_number, to_number, did, extension,
           from_extension, to_phone, caller_id, routing_mode, disposition, created_at, updated_at, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11, $12, $13, $13, $14)`,
        [
          callUuid,
          row.live ? 'answered' : 'ended',
          row.direction,
          randomUUID(),
          row.from,
          row.to,
          row.did ?? null,
          row.extension,
          c2c ? row.from : null,
          c2c ? row.to : null,
          c2c ? 'direct_gateway' : null,
          row.live ? null : 'ANSWERED',
          at,
          row.live ? null : at,
        ],
      );
      if (row.live) continue;
      await db.query(
        `INSERT INTO cdrs (call_uuid, direction, from_number, to_number, did, extension, from_extension, to_phone,
           caller_id, routing_mode, started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9, $10, $10, 0, 0, 'ANSWERED', $11)`,
        [
          callUuid,
          row.direction,
          row.from,
          row.to,
          row.did ?? null,
          row.extension,
          c2c ? row.from : null,
          c2c ? row.to : null,
          c2c ? 'direct_gateway' : null,
          at,
          randomUUID(),
        ],
      );
    }
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  const list = async (route: 'calls' | 'cdrs', query: Record<string, string>, as = token) => {
    const response = await api.get(`/api/pbx/${route}?${new URLSearchParams({ ...window, ...query })}`, as).expect(200);
    return response.body as {
      data: Array<Record<string, unknown> & { call_uuid: string }>;
      next_cursor: string | null;
    };
  };

  it('lists live and ended calls of every direction, newest first, with the call’s fields', async () => {
    const all = await list('calls', {});
    expect(names(all.data)).toEqual(rows.map((r) => r.name).sort());
    const times = all.data.map((c) => c.created_at as string);
    expect([...times].sort().reverse()).toEqual(times);
    const inbound = all.data.find((c) => c.call_uuid === uuid.inbound)!;
    expect(inbound).toMatchObject({ direction: 'inbound', from_number: `+${phone}`, did, extension: extB });
    expect(inbound).not.toHaveProperty('legs');
    expect(inbound).not.toHaveProperty('events');
    expect(names((await list('calls', { status: 'live' })).data)).toEqual(['liveInbound', 'liveInternal']);
    expect(names((await list('calls', { status: 'ended' })).data)).toEqual([...ended].sort());
  });

  it.each([
    ['phone', { phone }, ['c2c', 'outbound', 'inbound', 'missed', 'liveInbound']],
    ['phone with +', { phone: `+${phone}` }, ['c2c', 'outbound', 'inbound', 'missed', 'liveInbound']],
    ['extension A', { extension: extA }, ['c2c', 'outbound', 'liveInternal']],
    ['extension B', { extension: extB }, ['inbound', 'internal']],
    ['direction inbound', { direction: 'inbound' }, ['inbound', 'missed', 'liveInbound']],
    ['direction internal', { direction: 'internal' }, ['internal', 'liveInternal']],
    ['direction outbound', { direction: 'outbound' }, ['outbound']],
    ['direction click_to_call', { direction: 'click_to_call' }, ['c2c']],
    ['inbound + phone + live', { direction: 'inbound', phone, status: 'live' }, ['liveInbound']],
  ])('GET /calls by %s', async (_, query, expected) => {
    expect(names((await list('calls', query as Record<string, string>)).data)).toEqual([...expected].sort());
  });

  it.each([
    ['phone', { phone }, ['c2c', 'outbound', 'inbound', 'missed']],
    ['phone with +', { phone: `+${phone}` }, ['c2c', 'outbound', 'inbound', 'missed']],
    ['extension A', { extension: extA }, ['c2c', 'outbound']],
    ['extension B', { extension: extB }, ['inbound', 'internal']],
    ['direction inbound', { direction: 'inbound' }, ['inbound', 'missed']],
    ['direction internal', { direction: 'internal' }, ['internal']],
    ['direction outbound', { direction: 'outbound' }, ['outbound']],
    ['direction click_to_call', { direction: 'click_to_call' }, ['c2c']],
    ['did', { did }, ['inbound', 'missed']],
    ['did with +', { did: `+${did}` }, ['inbound', 'missed']],
    ['did + extension', { did, extension: extB }, ['inbound']],
    ['an internal call’s extension as phone', { phone: extB }, []],
  ])('GET /cdrs by %s', async (_, query, expected) => {
    expect(names((await list('cdrs', query as Record<string, string>)).data)).toEqual([...expected].sort());
  });

  it('GET /cdrs by call_uuid finds that one call, whatever the window', async () => {
    const found = await api
      .get(`/api/pbx/cdrs?${new URLSearchParams({ call_uuid: uuid.missed.toUpperCase() })}`, token)
      .expect(200);
    expect(names(found.body.data)).toEqual(['missed']);
    expect(found.body.data[0]).toMatchObject({ direction: 'inbound', did, extension: null });
    const none = await api.get(`/api/pbx/cdrs?${new URLSearchParams({ call_uuid: randomUUID() })}`, token).expect(200);
    expect(none.body.data).toEqual([]);
  });

  it('pages GET /calls with a cursor, without gaps or repeats, ties on the same microsecond included', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list('calls', { limit: '2', ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((c) => c.call_uuid));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(rows.length);
    expect(names(seen.map((call_uuid) => ({ call_uuid })))).toEqual(rows.map((r) => r.name).sort());
    // the two live calls share created_at: one page ends between them
    const one = await list('calls', { limit: '1', status: 'live' });
    const two = await list('calls', { limit: '1', status: 'live', cursor: one.next_cursor! });
    expect(names([...one.data, ...two.data])).toEqual(['liveInbound', 'liveInternal']);
    expect(two.next_cursor).toBeNull();
  });

  it('a limited token sees only its extensions’ calls, in full pages', async () => {
    const limited = (
      await api
        .post('/api/pbx/tokens', { name: `list-${uniqueNumber()}`, scopes: ['calls'], extensions: [extA] })
        .expect(201)
    ).body.data.token as string;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list('calls', { limit: '1', ...(cursor ? { cursor } : {}) }, limited);
      expect(page.data.length === 1 || page.next_cursor === null).toBe(true);
      seen.push(...page.data.map((c) => c.call_uuid));
      cursor = page.next_cursor;
    } while (cursor);
    expect(names(seen.map((call_uuid) => ({ call_uuid })))).toEqual(['c2c', 'liveInternal', 'outbound']);
    expect((await list('calls', { extension: extB }, limited)).data).toEqual([]);
    expect(names((await list('cdrs', {}, limited)).data)).toEqual(['c2c', 'outbound']);
    expect(names((await list('cdrs', { direction: 'inbound' }, limited)).data)).toEqual([]);
    expect(names((await list('cdrs', { phone }, limited)).data)).toEqual(['c2c', 'outbound']);
  });

  const bad: Array<[string, string, Record<string, string> | string]> = [
    ['calls', 'status', { status: 'maybe' }],
    ['calls', 'direction', { direction: 'sideways' }],
    ['calls', 'extension', { extension: '12' }],
    ['calls', 'phone', { phone: "0'; DROP TABLE calls;--" }],
    ['calls', 'phone', 'phone=0901&phone=0902'],
    ['calls', 'from', { from: 'yesterday' }],
    ['calls', 'to', { from: '2031-01-02T00:00:00Z', to: '2031-01-01T00:00:00Z' }],
    ['calls', 'limit', { limit: '501' }],
    ['calls', 'cursor', { cursor: 'bm90LWEtY3Vyc29y' }],
    ['calls', 'cursor', { cursor: Buffer.from('2031-02-31T00:00:00.000000Z|0').toString('base64url') }],
    ['calls', 'did', { did: '123' }],
    ['cdrs', 'direction', { direction: 'INBOUND' }],
    ['cdrs', 'did', { did: '84+28' }],
    ['cdrs', 'did', { did: '' }],
    ['cdrs', 'call_uuid', { call_uuid: 'not-a-uuid' }],
    ['cdrs', 'call_uuid', { call_uuid: "'; DROP TABLE cdrs;--" }],
    ['cdrs', 'phone', { phone: '+' }],
    ['cdrs', 'status', { status: 'live' }],
  ];
  it.each(bad)('GET /%s: a bad %s is a 422 naming it', async (route, field, query) => {
    const qs = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    const response = await api.get(`/api/pbx/${route}?${qs}`, token).expect(422);
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
