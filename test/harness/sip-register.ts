import { createHash, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';

export interface RegisterResult {
  /** final status after answering a digest challenge (if any) */
  status: number;
  reason: string;
  /** status of the first, unauthenticated attempt */
  firstStatus: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * A minimal SIP UA over UDP that sends REGISTER and answers one digest challenge: lets a test
 * read the exact SIP status the PBX gives (200, 401, 403).
 */
export async function sipRegister(options: {
  port: number;
  user: string;
  password: string;
  expires?: number;
  timeoutMs?: number;
  /** the address to send from: any 127.x.y.z is a distinct source on Linux (ban tests) */
  sourceAddress?: string;
}): Promise<RegisterResult> {
  const source = options.sourceAddress ?? '127.0.0.1';
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, source, resolve));
  const localPort = socket.address().port;
  const callId = randomBytes(8).toString('hex');
  const tag = randomBytes(4).toString('hex');
  const uri = `sip:127.0.0.1:${options.port}`;
  const expires = options.expires ?? 60;
  let cseq = 1;

  const send = (authorization?: string): Promise<{ status: number; reason: string; headers: Record<string, string> }> =>
    new Promise((resolve, reject) => {
      const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
      const lines = [
        `REGISTER ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${source}:${localPort};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:${options.user}@127.0.0.1>;tag=${tag}`,
        `To: <sip:${options.user}@127.0.0.1>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq++} REGISTER`,
        `Contact: <sip:${options.user}@${source}:${localPort}>`,
        `Expires: ${expires}`,
        ...(authorization ? [`Authorization: ${authorization}`] : []),
        'User-Agent: pbx-e2e-raw-ua',
        'Content-Length: 0',
        '',
        '',
      ];
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(new Error('no SIP answer to REGISTER'));
      }, options.timeoutMs ?? 5_000);
      const onMessage = (message: Buffer) => {
        const text = message.toString('utf8');
        const [first, ...rest] = text.split('\r\n');
        const match = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(first);
        if (!match || !text.includes(branch)) return;
        const status = Number(match[1]);
        if (status < 200) return; // provisional
        clearTimeout(timer);
        socket.off('message', onMessage);
        const headers: Record<string, string> = {};
        for (const line of rest) {
          const index = line.indexOf(':');
          if (index > 0) headers[line.slice(0, index).trim().toLowerCase()] = line.slice(index + 1).trim();
        }
        resolve({ status, reason: match[2], headers });
      };
      socket.on('message', onMessage);
      socket.send(lines.join('\r\n'), options.port, '127.0.0.1');
    });

  try {
    const first = await send();
    if (first.status !== 401 || !first.headers['www-authenticate']) {
      return { status: first.status, reason: first.reason, firstStatus: first.status };
    }
    const challenge = parseChallenge(first.headers['www-authenticate']);
    const ha1 = md5(`${options.user}:${challenge.realm}:${options.password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    const qop = challenge.qop
      ?.split(',')
      .map((q) => q.trim())
      .includes('auth')
      ? 'auth'
      : undefined;
    const response = qop
      ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
      : md5(`${ha1}:${challenge.nonce}:${ha2}`);
    const parts = [
      `username="${options.user}"`,
      `realm="${challenge.realm}"`,
      `nonce="${challenge.nonce}"`,
      `uri="${uri}"`,
      `response="${response}"`,
      'algorithm=MD5',
      ...(challenge.opaque ? [`opaque="${challenge.opaque}"`] : []),
      ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ];
    const second = await send(`Digest ${parts.join(', ')}`);
    return { status: second.status, reason: second.reason, firstStatus: first.status };
  } finally {
    socket.close();
  }
}

function parseChallenge(header: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const match of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) {
    values[match[1].toLowerCase()] = match[3] ?? match[2];
  }
  return values;
}
