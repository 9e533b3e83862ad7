import * as fs from 'node:fs';
import * as path from 'node:path';
import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { phonePassword } from '../harness/phone-password';
import { waitUntil } from '../harness/sip-peer';

interface LogLine {
  level?: string;
  call_uuid?: string;
  request_id?: string;
  msg?: string;
  [field: string]: unknown;
}

const linesOf = (file: string): Array<{ raw: string; json: LogLine | null }> =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((raw) => {
      try {
        return { raw, json: JSON.parse(raw) as LogLine };
      } catch {
        return { raw, json: null };
      }
    });

/**
 * Logs an operator can follow and nobody can harvest: the built API and worker write JSON
 * lines, every worker line about a call carries its call_uuid, every request line its
 * request_id, and no secret reaches any log file (this runs after the end-to-end tests, so
 * their logs are scanned too).
 */
describe('logs: JSON lines, call-scoped, no secrets', () => {
  const fx = new FaultFixture({ LOG_LEVEL: 'debug' });
  const secrets: Record<string, string> = {};

  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  it('every worker line that mentions a call carries its call_uuid; API lines carry a request_id', async () => {
    secrets['admin token'] = fx.adminToken;
    secrets['AMI password'] = fx.context.pbx.amiPassword;
    secrets['ARI password'] = fx.context.pbx.ariPassword;
    await fx.subscribe('/crm');
    const created = await fx.request('POST', '/api/pbx/webhooks', {
      url: fx.receiver.url('/other'),
      events: ['pbx.call.hangup'],
    });
    secrets['webhook secret'] = created.body.data.secret;
    const token = await fx.request('POST', '/api/pbx/tokens', { name: 'log-check', scopes: ['calls'] });
    secrets['generated token'] = token.body.data.token;
    // credentials in places a careless log would write them
    await fetch(
      `${fx.api.url}/api/pbx/cdrs?access_token=${secrets['generated token']}&secret=${secrets['webhook secret']}`,
      { headers: { Authorization: `Bearer ${secrets['generated token']}` } },
    );
    await fetch(`${fx.api.url}/api/pbx/extensions?token=${fx.adminToken}`);

    const agent = await fx.agent();
    secrets['extension password'] = phonePassword(agent, 'fault');
    // a password the PBX generated is shown in its answer only, never in a log
    const generated = await fx.request('POST', '/api/pbx/extensions', { number: String(Number(agent) + 1) });
    expect(generated.status).toBe(201);
    secrets['generated extension password'] = generated.body.data.password;
    fx.peer.setBehavior(`phone-${agent}`, { kind: 'answer' });
    const customer = customerNumber();
    fx.peer.setBehavior(customer, { kind: 'answer', hangupAfterMs: 300 });
    const uuid = (await fx.clickToCall(agent, customer)).body.data.call_uuid as string;
    await fx.waitStatus(uuid, 'ended');
    await waitUntil(() => fx.delivered('/crm', uuid).length >= 5, 15_000, 'webhooks delivered');

    const worker = linesOf(fx.worker.logFile);
    expect(worker.length).toBeGreaterThan(0);
    expect(worker.filter((l) => l.json === null).map((l) => l.raw)).toEqual([]);
    const aboutCall = worker.filter((l) => l.raw.includes(uuid));
    expect(aboutCall.length).toBeGreaterThanOrEqual(3);
    expect(aboutCall.filter((l) => l.json?.call_uuid !== uuid).map((l) => l.raw)).toEqual([]);
    // a leg's lines name its Asterisk channel (the leg uuid for the legs the PBX creates)
    expect(worker.some((l) => l.json?.call_uuid === uuid && l.json?.channel_id)).toBe(true);

    const api = linesOf(fx.api.logFile);
    expect(api.filter((l) => l.json === null).map((l) => l.raw)).toEqual([]);
    const requests = api.filter((l) => l.json?.context === 'http');
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.every((l) => typeof l.json?.request_id === 'string')).toBe(true);
    expect(api.some((l) => l.json?.call_uuid === uuid && l.json?.request_id)).toBe(true);
  });

  it('no log file holds a secret: admin and generated tokens, extension passwords, AMI/ARI passwords, whsec_ secrets', () => {
    const root = path.resolve(__dirname, '..', '..');
    const files = [
      path.join(root, '.pbx', 'test-logs'),
      path.join(fx.context.chrootDir, 'srv', 'pbx', fx.context.pbx.name, 'log'),
    ]
      .filter((dir) => fs.existsSync(dir))
      .flatMap((dir) => fs.readdirSync(dir).map((name) => path.join(dir, name)))
      .filter((file) => fs.statSync(file).isFile());
    expect(files.length).toBeGreaterThan(1);
    const found: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [what, value] of Object.entries(secrets))
        if (value && text.includes(value)) found.push(`${what} in ${file}`);
      const whsec = /whsec_[A-Za-z0-9+/=]{16,}/.exec(text);
      if (whsec) found.push(`a whsec_ secret in ${file}`);
    }
    expect(found).toEqual([]);
  });
});
