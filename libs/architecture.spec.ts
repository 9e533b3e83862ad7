import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Each lib is the only place its tables are touched; other domains ask through its exported
 * API. This reads the source: a table name in SQL, or an entity class given to TypeORM, that
 * belongs to another lib fails the test.
 */
const LIBS = path.join(__dirname);

/** Tables no entity declares, and who owns them. */
const EXTRA_OWNERS: Record<string, string> = {
  cel: 'asterisk', // Asterisk's own channel event log (cel_pgsql), read for reconcile
  cel_linkedids: 'asterisk', // which finished linkedids of that log are accounted for
  ps_endpoints: 'extensions',
  ps_auths: 'extensions',
  ps_aors: 'extensions',
  ps_endpoint_id_ips: 'trunks',
};

/** Documented exceptions: reading another lib's table where going through its API would cost a round trip on a hot path. */
const ALLOWED: Array<{ lib: string; table: string; why: string }> = [
  { lib: 'webhooks', table: 'call_events', why: 'the delivery claim reads the stored event in the same statement' },
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

const libs = fs
  .readdirSync(LIBS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const files = new Map(
  libs.map((lib) => [
    lib,
    sources(path.join(LIBS, lib, 'src')).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') })),
  ]),
);

const tableOwner = new Map<string, string>(Object.entries(EXTRA_OWNERS));
const entityOwner = new Map<string, string>();
for (const [lib, list] of files) {
  for (const { text } of list) {
    for (const match of text.matchAll(/@Entity\(\{\s*name:\s*'([a-z_]+)'\s*\}\)\s*export class (\w+)/g)) {
      tableOwner.set(match[1], lib);
      entityOwner.set(match[2], lib);
    }
  }
}

describe('architecture: a repository per domain', () => {
  it('knows the tables', () => {
    expect(tableOwner.get('calls')).toBe('calls');
    expect(tableOwner.get('trunks')).toBe('trunks');
    expect(entityOwner.get('Trunk')).toBe('trunks');
    expect(tableOwner.get('ring_groups')).toBe('ring-groups');
    expect(tableOwner.get('inbound_routes')).toBe('inbound-routes');
    expect(tableOwner.get('dial_policy')).toBe('dial-policy');
  });

  it.each(libs)('libs/%s touches only its own tables', (lib) => {
    const violations: string[] = [];
    for (const { file, text } of files.get(lib) ?? []) {
      const where = path.relative(LIBS, file);
      for (const match of text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+"?([a-z_]+)"?/g)) {
        const owner = tableOwner.get(match[1]);
        if (owner && owner !== lib && !ALLOWED.some((a) => a.lib === lib && a.table === match[1]))
          violations.push(`${where}: table ${match[1]} belongs to ${owner}`);
      }
      for (const match of text.matchAll(
        /(?:getRepository|InjectRepository|forFeature\(\[[^\]]*?|manager\.\w+|\.into)\(\s*(\w+)/g,
      )) {
        const owner = entityOwner.get(match[1]);
        if (owner && owner !== lib) violations.push(`${where}: entity ${match[1]} belongs to ${owner}`);
      }
      for (const match of text.matchAll(/forFeature\(\[([^\]]*)\]/g)) {
        for (const name of match[1].split(',').map((n) => n.trim())) {
          const owner = entityOwner.get(name);
          if (owner && owner !== lib) violations.push(`${where}: entity ${name} (forFeature) belongs to ${owner}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
