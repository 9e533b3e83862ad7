import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who a SIP request comes from (SPEC section 2, "SIP identification"): extensions are found by
 * their From user only (`identify_by = username`), trunks by their source address only
 * (`identify_by = ip`), so an INVITE from anywhere with `From: <sip:trunk-1@…>` is no longer
 * taken for the carrier. Trunks gain `inbound_addresses` (the addresses their calls come from),
 * matched without port since TCP carriers send from ephemeral ports. Extensions no longer
 * trust the caller id a phone asserts (`trust_id_inbound = no`).
 */
export class SipIdentification1763920000000 implements MigrationInterface {
  name = 'SipIdentification1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE trunks ADD COLUMN inbound_addresses cidr[] NOT NULL DEFAULT '{}'`);
    // existing trunks: the address their host is (or resolves to now), as the API does on a write
    const trunks = (await q.query(`SELECT id, host FROM trunks`)) as Array<{ id: number; host: string }>;
    for (const trunk of trunks) {
      const addresses = await addressesOf(trunk.host);
      if (addresses.length > 0)
        await q.query(`UPDATE trunks SET inbound_addresses = $2::cidr[] WHERE id = $1`, [
          trunk.id,
          addresses.map((a) => `${a}/32`),
        ]);
    }
    await q.query(`
      CREATE OR REPLACE VIEW ps_endpoints AS
      SELECT e.number::text AS id, 'transport-udp'::text AS transport, e.number::text AS aors,
             e.number::text AS auth, NULL::text AS outbound_auth, 'pbx-internal'::text AS context,
             'all'::text AS disallow, 'ulaw,alaw'::text AS allow, 'no'::text AS direct_media,
             'rfc4733'::text AS dtmf_mode, 'yes'::text AS rtp_symmetric, 'yes'::text AS force_rport,
             'yes'::text AS rewrite_contact,
             CASE WHEN e.display_name = '' THEN '<' || e.number || '>'
                  ELSE '"' || e.display_name || '" <' || e.number || '>' END AS callerid,
             NULL::text AS from_user, NULL::text AS from_domain,
             'no'::text AS send_pai, 'no'::text AS trust_id_inbound, 'no'::text AS trust_id_outbound,
             NULL::text AS mailboxes, 'username'::text AS identify_by
        FROM extensions e WHERE e.status = 'active'
      UNION ALL
      SELECT 'trunk-' || t.id, 'transport-' || t.transport, 'trunk-' || t.id,
             NULL, CASE WHEN t.username IS NOT NULL THEN 'trunk-' || t.id || '-auth' END, 'pbx-from-trunk',
             'all', 'ulaw,alaw', 'no', 'rfc4733', 'yes', 'yes', 'no',
             NULL, t.username, NULL,
             'yes', 'yes', 'yes', NULL, 'ip'
        FROM trunks t WHERE t.status = 'active'`);
    // one identify per address: `match` is an address or a CIDR block, with no port
    await q.query(`
      CREATE OR REPLACE VIEW ps_endpoint_id_ips AS
      SELECT 'trunk-' || t.id || '-' || a.n AS id, 'trunk-' || t.id AS endpoint, a.address::text AS match,
             NULL::text AS srv_lookups, NULL::text AS match_header
        FROM trunks t CROSS JOIN LATERAL unnest(t.inbound_addresses) WITH ORDINALITY AS a(address, n)
       WHERE t.status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW ps_endpoint_id_ips AS
      SELECT 'trunk-' || t.id AS id, 'trunk-' || t.id AS endpoint, (t.host || ':' || t.port)::text AS match,
             NULL::text AS srv_lookups, NULL::text AS match_header
        FROM trunks t WHERE t.status = 'active'`);
    // a view cannot lose a column through CREATE OR REPLACE
    await q.query(`DROP VIEW ps_endpoints`);
    await q.query(`
      CREATE VIEW ps_endpoints AS
      SELECT e.number::text AS id, 'transport-udp'::text AS transport, e.number::text AS aors,
             e.number::text AS auth, NULL::text AS outbound_auth, 'pbx-internal'::text AS context,
             'all'::text AS disallow, 'ulaw,alaw'::text AS allow, 'no'::text AS direct_media,
             'rfc4733'::text AS dtmf_mode, 'yes'::text AS rtp_symmetric, 'yes'::text AS force_rport,
             'yes'::text AS rewrite_contact,
             CASE WHEN e.display_name = '' THEN '<' || e.number || '>'
                  ELSE '"' || e.display_name || '" <' || e.number || '>' END AS callerid,
             NULL::text AS from_user, NULL::text AS from_domain,
             'no'::text AS send_pai, 'yes'::text AS trust_id_inbound, 'no'::text AS trust_id_outbound,
             NULL::text AS mailboxes
        FROM extensions e WHERE e.status = 'active'
      UNION ALL
      SELECT 'trunk-' || t.id, 'transport-' || t.transport, 'trunk-' || t.id,
             NULL, CASE WHEN t.username IS NOT NULL THEN 'trunk-' || t.id || '-auth' END, 'pbx-from-trunk',
             'all', 'ulaw,alaw', 'no', 'rfc4733', 'yes', 'yes', 'no',
             NULL, t.username, NULL,
             'yes', 'yes', 'yes', NULL
        FROM trunks t WHERE t.status = 'active'`);
    await q.query(`ALTER TABLE trunks DROP COLUMN inbound_addresses`);
  }
}

/** The IPv4 addresses of a host (itself when it is one); none when it does not resolve within 2 s. */
async function addressesOf(host: string): Promise<string[]> {
  if (isIPv4(host)) return [host];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), 2_000);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, family: 4 }), deadline]);
    return [...new Set(found.map((entry) => entry.address))];
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
