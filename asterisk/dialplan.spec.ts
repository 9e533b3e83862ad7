import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The dialplan every call from a carrier or a desk phone meets (templates/pbx/extensions.conf):
 * digit-exact patterns only, nothing derived from ${EXTEN} in an argument but the plain Dial()
 * between extensions while the worker is away, constant Stasis arguments, a 10 s absolute timeout
 * before Stasis and cause 34 after it or at T; every channel entering Stasis hands a SIP REFER
 * to the worker (ari-only transfer handling).
 */
const TEXT = fs.readFileSync(path.join(__dirname, 'templates', 'pbx', 'extensions.conf'), 'utf8');

/** context → extension → its priorities' applications, in order */
function parse(text: string): Map<string, Map<string, string[]>> {
  const contexts = new Map<string, Map<string, string[]>>();
  let context: Map<string, string[]> | undefined;
  let last: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    const section = /^\[([^\]]+)\]/.exec(line);
    if (section) contexts.set(section[1], (context = new Map()));
    const exten = /^exten\s*=>\s*([^,]+),(\w+),(.*)$/.exec(line);
    if (exten && context) {
      last = context.get(exten[1]) ?? [];
      context.set(exten[1], last);
      last.push(exten[3]);
    }
    const same = /^same\s*=>\s*n(?:\(\w+\))?,(.*)$/.exec(line);
    if (same && last) last.push(same[1]);
  }
  return contexts;
}

const contexts = parse(TEXT);
const digits = (plus: boolean) => Array.from({ length: 20 }, (_, i) => `_${plus ? '+' : ''}${'X'.repeat(i + 1)}`);

/** ari-only: a REFER becomes a ChannelTransfer event for the worker, never a transfer Asterisk makes */
const STASIS = (kind: string) => [
  'Set(TIMEOUT(absolute)=10)',
  'Set(PJSIP_TRANSFER_HANDLING()=ari-only)',
  `Stasis({{ARI_APP}},${kind})`,
];
/** an extension number's shape (3 to 10 digits): dialled directly while the worker is away */
const AWAY = [
  'GotoIf($["${STASISSTATUS}" = "FAILED"]?away)',
  'Hangup(34)',
  'Set(TIMEOUT(absolute)={{MAX_CALL_SECONDS}})',
  'Set(PJSIP_TRANSFER_HANDLING()=core)',
  'Dial(PJSIP/${EXTEN},{{RING_TIMEOUT}})',
  'Hangup()',
];
const extensionShaped = (exten: string) => /^_X{3,10}$/.test(exten);

describe('the dialplan of every call', () => {
  it.each([
    ['pbx-from-trunk', 'inbound', ['s']],
    ['pbx-internal', 'phone', []],
  ])('%s: digit-exact patterns of 1 to 20 digits, with and without +, into Stasis(%s)', (name, kind, extra) => {
    const context = contexts.get(name)!;
    expect([...context.keys()].sort()).toEqual([...extra, ...digits(false), ...digits(true), 'T'].sort());
    for (const [exten, priorities] of context) {
      if (exten === 'T') expect(priorities).toEqual(['Hangup(34)']);
      else if (kind === 'phone' && extensionShaped(exten)) expect(priorities).toEqual([...STASIS(kind), ...AWAY]);
      else expect(priorities).toEqual([...STASIS(kind), 'Hangup(34)']);
    }
  });

  it('without the Stasis app, only an extension-shaped number (3 to 10 digits, no +) is dialled, by itself', () => {
    const dialled = [...contexts.get('pbx-internal')!].filter(([, p]) => p.some((app) => app.startsWith('Dial(')));
    expect(dialled.map(([exten]) => exten)).toEqual(Array.from({ length: 8 }, (_, i) => `_${'X'.repeat(i + 3)}`));
    expect(contexts.get('pbx-from-trunk')!.get('_XXXX')).not.toContainEqual(expect.stringMatching(/^Dial/));
  });

  it('puts ${EXTEN} into no argument but that Dial of a digits-only extension', () => {
    const uses = TEXT.replace(/;.*$/gm, '')
      .split('\n')
      .filter((line) => line.includes('${EXTEN'));
    expect(uses.length).toBe(8);
    for (const line of uses) expect(line.trim()).toBe('same => n,Dial(PJSIP/${EXTEN},{{RING_TIMEOUT}})');
  });

  it('sets ari-only transfer handling on every channel before it enters Stasis, and core only where Stasis failed', () => {
    const lines = TEXT.replace(/;.*$/gm, '').split('\n');
    const handling = lines.filter((line) => line.includes('PJSIP_TRANSFER_HANDLING'));
    const stasis = lines.filter((line) => /Stasis\(\{\{ARI_APP\}\},(inbound|phone)\)/.test(line));
    expect(handling.filter((line) => line.endsWith('=ari-only)'))).toHaveLength(stasis.length);
    expect(handling.filter((line) => line.endsWith('=core)'))).toHaveLength(8);
    for (const [index, line] of lines.entries())
      if (stasis.includes(line))
        expect(lines[index - 1].trim()).toBe('same => n,Set(PJSIP_TRANSFER_HANDLING()=ari-only)');
  });

  it('keeps the context of the legs ARI creates', () => {
    expect(contexts.get('pbx-stasis')!.get('s')).toEqual(['Stasis({{ARI_APP}})', 'Hangup()']);
  });
});
