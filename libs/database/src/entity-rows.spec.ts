import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { EntityRows } from './entity-rows';

@Entity({ name: 'things' })
class Thing {
  @PrimaryColumn({ name: 'thing_id', type: 'uuid' })
  thingId!: string;

  @Column({ type: 'char', length: 1 })
  kind!: string;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ name: 'plan', type: 'jsonb' })
  plan!: unknown[];

  @Column({ name: 'secret', type: 'varchar', select: false })
  secret!: string;
}

/** The SQL EntityRows builds from metadata, checked without a database (queries are captured). */
describe('EntityRows', () => {
  const dataSource = new DataSource({ type: 'postgres', entities: [Thing] });
  const queries: Array<{ sql: string; parameters: unknown[]; name: string }> = [];
  const manager = { connection: dataSource } as never;

  beforeAll(() => {
    // builds the entity metadata without connecting; the pool only records what it is sent
    (dataSource as unknown as { buildMetadatas: () => void }).buildMetadatas();
    (dataSource.driver as unknown as { master: unknown }).master = {
      query: async (config: { name: string; text: string; values: unknown[] }) => {
        queries.push({ sql: config.text, parameters: config.values, name: config.name });
        return { rows: [{ thing_id: 'u1', kind: 'a', tags: ['x'], plan: [{ step: 1 }] }] };
      },
    };
  });
  beforeEach(() => (queries.length = 0));

  it('reads only selectable columns and hydrates entities, also from prefixed join columns', async () => {
    const rows = new EntityRows(manager, Thing);
    const found = await rows.findOne(manager, 'kind = $1', ['a']);
    expect(queries[0].sql).toBe('SELECT "thing_id", "kind", "tags", "plan" FROM "things" WHERE kind = $1 LIMIT 1');
    expect(queries[0].name).toMatch(/^pbx_[0-9a-f]{20}$/); // a named (prepared) statement
    expect(found).toBeInstanceOf(Thing);
    expect(found).toEqual(Object.assign(new Thing(), { thingId: 'u1', kind: 'a', tags: ['x'], plan: [{ step: 1 }] }));
    expect(rows.selectAs('t', 'x_')).toBe(
      't."thing_id" AS "x_thing_id", t."kind" AS "x_kind", t."tags" AS "x_tags", t."plan" AS "x_plan"',
    );
    expect(rows.hydrate({ x_thing_id: 'u2', x_kind: 'b', x_tags: [], x_plan: [] }, 'x_').thingId).toBe('u2');
  });

  it('writes every column with casts, jsonb as JSON text (a JS array would go as a PostgreSQL array)', async () => {
    const rows = new EntityRows(manager, Thing);
    const thing = Object.assign(new Thing(), {
      thingId: 'u1',
      kind: 'a',
      tags: ['x', 'y'],
      plan: [{ step: 1 }],
      secret: 's',
    });
    await rows.insert(manager, thing);
    await rows.update(manager, thing);
    expect(queries[0]).toMatchObject({
      sql: 'INSERT INTO "things" ("thing_id", "kind", "tags", "plan", "secret") VALUES ($1::uuid, $2::bpchar, $3::text[], $4::jsonb, $5::varchar)',
      parameters: ['u1', 'a', ['x', 'y'], '[{"step":1}]', 's'],
    });
    expect(queries[1]).toMatchObject({
      sql: 'UPDATE "things" SET "kind" = $2::bpchar, "tags" = $3::text[], "plan" = $4::jsonb, "secret" = $5::varchar WHERE "thing_id" = $1',
      parameters: ['u1', 'a', ['x', 'y'], '[{"step":1}]', 's'],
    });
  });

  it('builds one EntityRows per entity and data source', () => {
    expect(EntityRows.of(manager, Thing)).toBe(EntityRows.of(manager, Thing));
  });
});
