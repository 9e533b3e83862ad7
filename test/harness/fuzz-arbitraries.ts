import fc from 'fast-check';

/**
 * fast-check arbitraries for fuzzing the HTTP API: hostile strings and numbers, JSON bodies
 * written as text (so they can carry duplicate keys, `__proto__` and number literals JSON.stringify
 * cannot produce), malformed JSON, wrong content types, query strings, path ids and header values.
 *
 * Everything is generated as data that prints well in a counterexample: a body is its text plus
 * how to send it, never a Buffer.
 */

// ---------------------------------------------------------------------------------------------
// strings and numbers

/** encodeURIComponent that takes any string (a lone surrogate becomes U+FFFD instead of throwing). */
export const encode = (s: string): string =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** Strings that have broken parsers, SIP stacks, SQL and loggers before. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t',
  '\r\n',
  'Eve\r\nX-Injected: 1',
  'a\nb',
  '\u0000',
  'a\u0000b',
  '\u0000\u0001\u001f\u007f',
  '%00',
  'a%00b',
  '%0d%0aX-Injected:%201',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd%00.json',
  "' OR '1'='1",
  "1'; DROP TABLE extensions; --",
  '1); DELETE FROM api_tokens; --',
  '"; SELECT pg_sleep(5); --',
  '$$; SELECT 1; $$',
  '\\',
  '\\u0000',
  '"',
  "'",
  '`',
  '<sip:evil@example.org>',
  '"Eve" <sip:1000@pbx>',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.org/a}',
  '{{7*7}}',
  '%s%s%s%n',
  '\u202eevil',
  '\ufeffBOM',
  '\ud83d\ude00',
  '\ud800',
  '\udfff',
  '\uffff',
  '\u00e9\u0301',
  'ｆｕｌｌｗｉｄｔｈ',
  '١٢٣٤',
  '𝟙𝟚𝟛𝟜',
  '１２３４',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '0',
  '-1',
  '1e309',
  '0x10',
  '__proto__',
  'constructor',
  'prototype',
  'sip:evil@example.org;transport=tcp',
  'http://user:pass@example.org/',
  'javascript:alert(1)',
  'file:///etc/passwd',
];

/** Long strings, up to about 10 KB (the body limit is 64 KiB). */
export const longString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('x', '9', 'é', '😀', '\u0000', "'", '\r\n', 'ab%00', '\ud800'),
    fc.integer({ min: 65, max: 10_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.max(1, Math.floor(length / unit.length))));

/** Arbitrary text of every kind: short, unicode (lone surrogates included), nasty and long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 12 }))
      .map((parts) => parts.join('')),
  },
  // one control character (NUL, CR, LF...) inside otherwise plain text
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 12 }))
      .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`),
  },
  { weight: 1, arbitrary: longString },
);

/** Numbers where strings or small integers are expected: huge, negative, fractional, unsafe. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    0.1,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e308,
    -1e308,
    5e-324,
    65535,
    65536,
  ),
);

/** Number literals that JSON.stringify never writes but JSON.parse reads. */
export const rawNumberLiteral: fc.Arbitrary<string> = fc.constantFrom(
  '1e400',
  '-1e400',
  '-0',
  '1.0',
  '0.1e1',
  '5060.0',
  '1E3',
  '123456789012345678901234567890',
  '-2147483649',
  '2147483648',
  '9007199254740993',
  '0.0000000000000000000000001',
);

// ---------------------------------------------------------------------------------------------
// JSON values as text

/**
 * Deep nesting (JSON.parse takes it; does the rest?). Depths stay far from where a recursive
 * walk runs out of stack (somewhere past 1,000 here), so the outcome does not hang on how much
 * stack is left on a given run: 10 to 300 levels, or 5,000.
 */
const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('[', '{"a":'), fc.constantFrom(10, 100, 300, 5_000))
  .map(([open, depth]) => open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth));

const prototypePollution: fc.Arbitrary<string> = fc.constantFrom(
  '{"__proto__":{"admin":true,"scopes":["admin"]}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"__proto__":null}',
  '{"toString":"x","valueOf":1,"hasOwnProperty":null}',
  '[{"__proto__":{"polluted":1}}]',
);

/** Any JSON value as text, nasty on purpose. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: hostileNumber.map((n) => JSON.stringify(n)) },
  { weight: 1, arbitrary: rawNumberLiteral },
  { weight: 1, arbitrary: hostileNumber.map((n) => JSON.stringify(String(n))) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '{}', '""', '[null]', '[[]]', '{"":""}') },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 25 }).map((a) => JSON.stringify(a)) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 10 }), hostileString, { maxKeys: 25 })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: prototypePollution },
);

/** A value of the wrong type made from a valid one: "5060" for 5060, 1001 for "1001", [x] for x. */
function flipType(value: unknown): string {
  if (typeof value === 'number') return JSON.stringify(String(value));
  if (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))) return String(Number(value));
  if (typeof value === 'boolean') return JSON.stringify(String(value));
  if (Array.isArray(value)) return value.length > 0 ? JSON.stringify(value[0]) : '{}';
  return JSON.stringify([value]);
}

/** JSON text of one field: mostly valid, often hostile, sometimes the right value with the wrong type. */
export function fieldText(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: valid.map(flipType) },
    { weight: 4, arbitrary: hostileJsonText },
  );
}

export type Fields = Record<string, fc.Arbitrary<unknown>>;
export type Entry = [key: string, jsonText: string];

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'id',
  'is_admin',
  'admin',
  'created_at',
  'updated_at',
  'md5_cred',
  'token_hash',
  'secret',
  'scopes',
  '',
  ' ',
  '\u0000',
  'a.b',
  '$where',
];

/**
 * A JSON object body as key/value entries: each known field left out, valid, hostile, or given
 * twice; sometimes unknown or prototype-polluting fields; sometimes in reverse order.
 */
export function objectEntries(fields: Fields): fc.Arbitrary<Entry[]> {
  const names = Object.keys(fields);
  const perField = names.map((name) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant<Entry[]>([]) },
      { weight: 5, arbitrary: fields[name].map((v): Entry[] => [[name, JSON.stringify(v)]]) },
      { weight: 4, arbitrary: fieldText(fields[name]).map((text): Entry[] => [[name, text]]) },
      {
        weight: 1,
        arbitrary: fc.tuple(fieldText(fields[name]), fieldText(fields[name])).map(([a, b]): Entry[] => [
          [name, a],
          [name, b],
        ]),
      },
    ),
  );
  const extraKey = fc.oneof(
    fc.constantFrom(...EXTRA_KEYS),
    fc.string({ maxLength: 20 }),
    ...(names.length
      ? [fc.constantFrom(...names).map((n) => n.toUpperCase()), fc.constantFrom(...names).map((n) => `${n} `)]
      : []),
  );
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Entry[]>([]) },
    { weight: 2, arbitrary: fc.array(fc.tuple(extraKey, hostileJsonText), { minLength: 1, maxLength: 3 }) },
  );
  return fc.tuple(fc.tuple(...perField), extras, fc.boolean()).map(([parts, extra, reverse]) => {
    const entries = [...parts.flat(), ...extra];
    return reverse ? entries.reverse() : entries;
  });
}

/**
 * A valid value damaged a little, as JSON text: a control character (NUL first) slipped into a
 * string, one character too many, a look-alike digit, a number off by one or out of its type,
 * an array emptied or doubled. Such values get past the first checks more often than random ones
 * and find where the validation and the database disagree.
 */
export function nearMiss(valid: unknown): fc.Arbitrary<string> {
  if (typeof valid === 'string') {
    const at = fc.integer({ min: 0, max: valid.length });
    const insert = (piece: fc.Arbitrary<string>) =>
      fc.tuple(at, piece).map(([i, p]) => JSON.stringify(`${valid.slice(0, i)}${p}${valid.slice(i)}`));
    return fc.oneof(
      {
        weight: 4,
        arbitrary: insert(fc.constantFrom('\u0000', '\u0000', '\u0000', '\u0000', '\r\n', '\n', '\u0001', '\u007f')),
      },
      insert(fc.constantFrom('%00', '"', "'", '\\', '<', '>', ';', ' ', '+', 'X', '/')),
      insert(fc.constantFrom('\ud800', '\udfff', '\ufeff', '\u202e', '１', '٣', '😀', 'é')),
      { weight: 2, arbitrary: fc.constantFrom('0', 'x', '9', 'é').map((c) => JSON.stringify(`${valid}${c}`)) },
      fc.constant(JSON.stringify(`+${valid}`)),
      fc.constant(JSON.stringify(`${valid}${valid}`)),
      fc.constant(JSON.stringify(` ${valid} `)),
      fc.constant(JSON.stringify(valid.toUpperCase())),
      fc.constant(JSON.stringify(valid.slice(0, -1))),
      fc.constant(valid !== '' && !Number.isNaN(Number(valid)) ? String(Number(valid)) : JSON.stringify([valid])),
    );
  }
  if (typeof valid === 'number') {
    return fc
      .constantFrom(valid + 1, valid - 1, -valid, valid * 1_000, valid + 0.5, 0, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2)
      .map((n) => JSON.stringify(n))
      .chain((n) => fc.constantFrom(n, JSON.stringify(n), `${n}.0`, `${n}e0`));
  }
  if (Array.isArray(valid)) {
    return fc.oneof(
      fc.constant('[]'),
      fc.constant(JSON.stringify([...valid, ...valid])),
      fc.constant(JSON.stringify([valid])),
      fc.constant(JSON.stringify(valid.map(String))),
      hostileJsonText.map((t) => `[${[...valid.map((v) => JSON.stringify(v)), t].join(',')}]`),
    );
  }
  if (valid !== null && typeof valid === 'object') {
    const entries = Object.entries(valid as Record<string, unknown>);
    return fc.oneof(
      fc.constant('[]'),
      fc
        .tuple(
          fc.constantFrom('X-Injected\r\n', '', '__proto__', 'a b', 'é', 'k'.repeat(65)),
          fc.constantFrom('v', 'v\r\nX: 1', '\u0000', 'v'.repeat(201), '\ud800'),
        )
        .map(([k, v]) => JSON.stringify(Object.fromEntries([...entries, [k, v]]))),
      ...(entries.length > 0
        ? [
            fc
              .constantFrom('\u0000', '\r\n', '\ud800', 'v'.repeat(201))
              .map((v) =>
                JSON.stringify(Object.fromEntries(entries.map(([k, x], i) => [k, i === 0 ? `${String(x)}${v}` : x]))),
              ),
          ]
        : []),
    );
  }
  return fc.constantFrom('"true"', '0', '1', '""', '"null"', '{}', '[null]');
}

/**
 * A body that is right but for one field: every field valid (or, now and then, left out) and one
 * damaged (a near miss of a valid value, or anything). Such requests get past the first checks
 * and reach the services and the database.
 */
export function oneBadField(fields: Fields): fc.Arbitrary<Entry[]> {
  const names = Object.keys(fields);
  if (names.length === 0) return fc.constant([]);
  return fc
    .tuple(
      fc.tuple(...names.map((name) => fields[name])),
      fc.array(fc.integer({ min: 0, max: 7 }), { minLength: names.length, maxLength: names.length }),
      fc.integer({ min: 0, max: names.length - 1 }),
    )
    .chain(([values, keep, bad]) =>
      fc
        .oneof({ weight: 2, arbitrary: nearMiss(values[bad]) }, { weight: 1, arbitrary: hostileJsonText })
        .map((text) =>
          names.flatMap((name, i): Entry[] =>
            i === bad ? [[name, text]] : keep[i] === 0 ? [] : [[name, JSON.stringify(values[i])]],
          ),
        ),
    );
}

/** A JSON object body right but for one field (see oneBadField). */
export function nearValidBody(fields: Fields): fc.Arbitrary<FuzzBody> {
  return oneBadField(fields).map((e): FuzzBody => ({ contentType: JSON_TYPE, text: objectText(e) }));
}

export function objectText(entries: Entry[]): string {
  return `{${entries.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// request bodies

/** A request body and how it goes on the wire. */
export interface FuzzBody {
  /** null: no Content-Type header at all */
  contentType: string | null;
  text: string;
  /** bytes: `utf8` (default) or `latin1` (every char one byte: invalid UTF-8 on purpose) */
  bytes?: 'latin1';
  /** Content-Encoding header; `gzip-valid` sends the text really gzipped with `gzip` */
  contentEncoding?: string;
}

const JSON_TYPE = 'application/json';

/** JSON text that is not valid JSON, built from a plausible body. */
function malformed(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.constant(`${text.slice(0, -1)},}`),
    fc.constant(text.replace(/"/g, "'")),
    fc.constant(`${text}${text}`),
    fc.constant(`${text}}`),
    fc.constant(`// comment\n${text}`),
    fc.constant(text.replace(/":/, '"')),
    fc.constant(text.replace(/"([^"]*)":/, '$1:')),
    fc.constant(`{"a":NaN}`),
    fc.constant(`{"a":undefined}`),
    fc.constant(`{"a":Infinity}`),
    fc.constant(`{"a":"raw\u0000control\nchars"}`),
    fc.constant(`{"a":"\\x41"}`),
    fc.constant(`{"a":"\\ud800"}`),
    fc.constant(`{"a":0x10}`),
    fc.constant(`{"a":01}`),
    fc.constant(`{"a":.5}`),
    fc.constant(`{"a":+1}`),
    fc.constant(`["unclosed`),
    fc.constant(`{`),
    fc.constant(`}`),
    fc.constant(``),
    fc.constant(` `),
    fc.constant(`"just a string"`),
    fc.constant(`12`),
    fc.constant(`null`),
    fc.constant(`true`),
    fc.constant('['.repeat(20_000)),
    fc.constant('{"a":'.repeat(5_000)),
    hostileString,
  );
}

/** Bodies in formats the API does not speak, or says it does not. */
function otherFormats(entries: Entry[]): fc.Arbitrary<FuzzBody> {
  const form = entries.map(([key, text]) => {
    let value: string;
    try {
      const parsed = JSON.parse(text) as unknown;
      value = typeof parsed === 'string' ? parsed : text;
    } catch {
      value = text;
    }
    return `${encode(key)}=${encode(value)}`;
  });
  const multipart = `--xyz\r\n${entries.map(([key, text]) => `Content-Disposition: form-data; name="${key}"\r\n\r\n${text}\r\n--xyz`).join('\r\n')}--\r\n`;
  return fc.oneof(
    fc.constant<FuzzBody>({ contentType: 'application/x-www-form-urlencoded', text: form.join('&') }),
    fc
      .constantFrom(
        '%',
        '%zz',
        'a=%',
        '&&&==&',
        'a[b]=1&a[c]=2',
        'a=1&a=2&a=3',
        `${'a=1&'.repeat(1_200)}b=2`,
        '__proto__[admin]=1',
        'constructor=1',
      )
      .map((text): FuzzBody => ({ contentType: 'application/x-www-form-urlencoded', text })),
    fc.constant<FuzzBody>({ contentType: 'multipart/form-data; boundary=xyz', text: multipart }),
    fc.constant<FuzzBody>({ contentType: 'multipart/form-data', text: multipart }),
    fc
      .constantFrom(
        'text/plain',
        'text/html',
        'application/xml',
        'application/octet-stream',
        'image/png',
        '*/*',
        'application',
        'garbage;;;=',
        'application/json-patch+json',
      )
      .map((contentType): FuzzBody => ({ contentType, text: objectText(entries) })),
    fc.constant<FuzzBody>({ contentType: null, text: objectText(entries) }),
    fc.constant<FuzzBody>({ contentType: 'text/plain', text: 'number=1001&password=correct-horse-staple-7' }),
    fc.constant<FuzzBody>({
      contentType: 'application/xml',
      text: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    }),
  );
}

/** The same JSON text with unusual Content-Type parameters, encodings or byte-level damage. */
function jsonVariants(text: string): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    fc
      .constantFrom(
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json; charset=utf-8',
        'application/json; charset=UTF-8; boundary=x',
        'application/json;charset=',
        'APPLICATION/JSON',
        'application/vnd.api+json',
        'application/merge-patch+json',
        'application/json, text/plain',
        'application/json; charset="utf-8',
      )
      .map((contentType): FuzzBody => ({ contentType, text })),
    fc
      .constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, gzip', 'gzip-valid')
      .map((contentEncoding): FuzzBody => ({ contentType: JSON_TYPE, text, contentEncoding })),
    fc.constant<FuzzBody>({ contentType: JSON_TYPE, text: `\ufeff${text}` }),
    // latin1 bytes: é becomes 0xE9 alone, which is not UTF-8
    fc.constant<FuzzBody>({ contentType: JSON_TYPE, text: text.replace(/"$|"(?=[,}])/, 'é\u00ff"'), bytes: 'latin1' }),
  );
}

/** Any request body for a route whose JSON object has these fields. */
export function requestBody(fields: Fields): fc.Arbitrary<FuzzBody> {
  const entries = objectEntries(fields);
  return fc.oneof(
    { weight: 12, arbitrary: entries.map((e): FuzzBody => ({ contentType: JSON_TYPE, text: objectText(e) })) },
    { weight: 8, arbitrary: nearValidBody(fields) },
    // arrays where an object is expected, and other top-level JSON values
    {
      weight: 1,
      arbitrary: fc
        .array(entries.map(objectText), { minLength: 0, maxLength: 3 })
        .map((items): FuzzBody => ({ contentType: JSON_TYPE, text: `[${items.join(',')}]` })),
    },
    { weight: 1, arbitrary: hostileJsonText.map((text): FuzzBody => ({ contentType: JSON_TYPE, text })) },
    // an object nested one level too deep
    {
      weight: 1,
      arbitrary: entries.map((e): FuzzBody => ({ contentType: JSON_TYPE, text: `{"data":${objectText(e)}}` })),
    },
    {
      weight: 2,
      arbitrary: entries
        .chain((e) => malformed(objectText(e)))
        .map((text): FuzzBody => ({ contentType: JSON_TYPE, text })),
    },
    { weight: 2, arbitrary: entries.chain(otherFormats) },
    { weight: 2, arbitrary: entries.chain((e) => jsonVariants(objectText(e))) },
  );
}

// ---------------------------------------------------------------------------------------------
// query strings, path ids, header values

const RAW_QUERY_PIECES = [
  '%',
  '%zz',
  '%00',
  '%c0%af',
  '&',
  '&&',
  '=',
  '==',
  '?',
  '#',
  '+',
  '%2B',
  '%26',
  '[]',
  '[0]',
  '[a]',
  ';',
  '%E0%A4%A',
];

/** One query value as it goes on the wire: encoded text, or raw percent-garbage. */
function queryValue(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(encode) },
    { weight: 4, arbitrary: hostileString.map(encode).filter((s) => s.length <= 1_500) },
    { weight: 1, arbitrary: hostileNumber.map((n) => encode(String(n))) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_PIECES) },
  );
}

/**
 * A query string (with its `?`) for a route that reads these parameters. At most 8 KB: Node
 * answers a request line over its 16 KB header limit with a bare 431 before the API sees it.
 */
export function queryString(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  return anyQueryString(params).filter((q) => q.length <= 8_000);
}

function anyQueryString(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(params);
  const perParam = names.map((name) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: params[name].map((v) => [`${name}=${encode(v)}`]) },
      { weight: 3, arbitrary: queryValue(params[name]).map((v) => [`${name}=${v}`]) },
      // repeated: Express turns it into an array
      {
        weight: 1,
        arbitrary: fc
          .array(queryValue(params[name]), { minLength: 2, maxLength: 3 })
          .map((vs) => vs.map((v) => `${name}=${v}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(`${name}`, `${name}=`, `${name}[]=1`, `${name}[a]=1`, `${encode(name.toUpperCase())}=1`)
          .map((p) => [p]),
      },
    ),
  );
  const extra = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom('__proto__', 'constructor', 'toString', 'unknown', '', 'sort', 'offset'),
              fc.string({ maxLength: 10 }).map(encode),
            ),
            queryValue(fc.constant('1')),
          )
          .map(([k, v]) => `${k}=${v}`),
        { minLength: 1, maxLength: 3 },
      ),
    },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(fc.tuple(...perParam), extra).map(([parts, more]) => {
        const all = [...parts.flat(), ...more];
        return all.length ? `?${all.join('&')}` : '';
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '?',
          '?&',
          '?=',
          '?==&=',
          '?%',
          '?%zz=%zz',
          `?${'a'.repeat(3_000)}`,
          `?${'a=1&'.repeat(1_500)}`,
          '?limit=1#frag',
          '??limit=1',
        )
        .map((q) => q),
    },
  );
}

const ID_EDGES = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '1E3',
  '2147483647',
  '2147483648',
  '4294967296',
  '99999999999999999999',
  '9007199254740993',
  '0x1A',
  '00001',
  '+1',
  ' 1',
  '1 ',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '1,2',
  '1;2',
  "1' OR '1'='1",
  '1; DROP TABLE extensions;--',
  '$(id)',
];
const RAW_ID_PIECES = [
  '%',
  '%zz',
  '%00',
  '1%00',
  '%c0%af',
  '%ff',
  '%fe%ff',
  '%E0%A4%A',
  '..',
  '.',
  '..%2F..%2Ftokens',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fhealth',
  '%2F',
  'a%2Fb',
  '%5C',
  '~',
  '*',
  '$',
  '(',
  ')',
  ';',
  ',',
  '=',
  '@',
  ':',
  '!',
  "'",
  '%22',
  '%3Cscript%3E',
  '%0d%0a',
];

/** A path id as it goes on the wire: mostly unknown but valid-looking integers, then anything. */
export const pathId: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_147_483_647 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...ID_EDGES).map(encode) },
  {
    weight: 3,
    arbitrary: hostileString
      .filter((s) => s.length > 0)
      .map(encode)
      .filter((s) => s.length <= 3_000),
  },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_ID_PIECES) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** What Node's HTTP client accepts in a header value (no CR, LF, NUL or other controls). */
export const isSendableHeader = (value: string): boolean => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

/** Latin-1 text only, as a header can carry it; up to about 4 KB (Node's header limit is 16 KB). */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 80 }) },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
        maxLength: 80,
      }),
    },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS).filter(isSendableHeader) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('x', 'é', '=', '%00', ' '), fc.integer({ min: 100, max: 4_000 }))
        .map(([u, n]) => `k${u.repeat(Math.floor(n / u.length))}`),
    },
  )
  .filter(isSendableHeader);

// ---------------------------------------------------------------------------------------------
// valid-looking field values (with their boundaries: the longest accepted value and one more)

/** Digits of a length in [min, max], the boundaries likelier than the middle. */
export function digits(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.oneof(fc.constant(min), fc.constant(max), fc.integer({ min, max })),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: max, maxLength: max }),
    )
    .map(([length, ds]) => ds.slice(0, length).join(''));
}

/** A phone number: `+` optional, then 3 to 32 digits. */
export const phone: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), digits(3, 32))
  .map(([plus, d]) => (plus ? `+${d}` : d));

/** A DID as inbound routes take it: '' (any number), or up to 33 digits (one too many), `+` optional. */
export const did: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', '+', '++84', '0'.repeat(32), `+${'9'.repeat(32)}`, '9'.repeat(33)) },
  { weight: 4, arbitrary: fc.tuple(fc.boolean(), digits(1, 33)).map(([plus, d]) => (plus ? `+${d}` : d)) },
);

/**
 * A dial policy prefix list: digit prefixes of 1 to 16 characters (16 is one too many), now and
 * then with the international marker, a repeat, or 501 items (one too many).
 */
export const prefixList: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.array(digits(1, 16), { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom(['+84'], ['0084'], ['84', '84'], [''], ['1'.repeat(15)]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(500, 501).map((n) => Array.from({ length: n }, (_, i) => String(10_000 + i))),
  },
);

/** Printable text without control characters, quotes, < > or \ (the API's SafeText), up to max. */
export function safeText(max: number, min = 1): fc.Arbitrary<string> {
  const ok = (s: string) => /^[^\x00-\x1f\x7f"<>\\]*$/.test(s) && s.length >= min && s.length <= max;
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 30) }).filter(ok) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 20) }).filter(ok) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('x', 'é', '😀', 'ß', '′')
        .map((u) => u.repeat(Math.floor(max / u.length)))
        .filter(ok),
    },
  );
}

/**
 * A body the parsers accept (a JSON object under 60 KB, or a type no parser reads), so that the
 * guards, not the body parsers, decide the answer.
 */
export function wellFormedBody(fields: Fields): fc.Arbitrary<FuzzBody> {
  const entries = objectEntries(fields).filter((e) => Buffer.byteLength(objectText(e)) < 60_000);
  return fc.oneof(
    { weight: 4, arbitrary: entries.map((e): FuzzBody => ({ contentType: JSON_TYPE, text: objectText(e) })) },
    { weight: 1, arbitrary: entries.map((e): FuzzBody => ({ contentType: 'text/plain', text: objectText(e) })) },
    { weight: 1, arbitrary: entries.map((e): FuzzBody => ({ contentType: null, text: objectText(e) })) },
  );
}
