import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';

export interface InviteResult {
  /** the final status (>= 200) */
  status: number;
  reason: string;
  /** the final answer was a digest challenge (401 with WWW-Authenticate, or 407): not answered */
  challenged: boolean;
  /** the final response's headers, names in lower case */
  headers: Record<string, string>;
}

/**
 * A minimal SIP UA over UDP that sends one INVITE, as written, from a chosen local address
 * (any 127.x.y.z is a distinct source on Linux) and reports the final response: a test sees
 * exactly what an attacker or a carrier would. A challenge is reported, never answered; a
 * non-2xx final answer is ACKed (no retransmissions), a 2xx is ACKed and hung up with BYE.
 */
export async function sipInvite(options: {
  /** the PBX's SIP port on 127.0.0.1 */
  port: number;
  sourceAddress: string;
  /** 0 (default): an ephemeral port */
  sourcePort?: number;
  /** the Request-URI user, as written on the wire (escape what SIP needs escaped); '' for none */
  requestUser: string;
  fromUser: string;
  /** adds a P-Asserted-Identity with this user */
  pai?: string;
  timeoutMs?: number;
}): Promise<InviteResult> {
  const { sourceAddress: source, port } = options;
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(options.sourcePort ?? 0, source, resolve));
  const localPort = socket.address().port;
  const callId = randomBytes(8).toString('hex');
  const fromTag = randomBytes(4).toString('hex');
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const uri = options.requestUser === '' ? `sip:127.0.0.1:${port}` : `sip:${options.requestUser}@127.0.0.1:${port}`;
  const from = `<sip:${options.fromUser}@${source}>;tag=${fromTag}`;
  const to = `<${uri}>`;
  const sdp = [
    'v=0',
    `o=- 1 1 IN IP4 ${source}`,
    's=-',
    `c=IN IP4 ${source}`,
    't=0 0',
    `m=audio ${localPort + 2} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
  const message = (lines: string[], body = '') =>
    [
      ...lines,
      'Max-Forwards: 70',
      `Call-ID: ${callId}`,
      'User-Agent: pbx-e2e-raw-ua',
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  const send = (text: string) => socket.send(text, port, '127.0.0.1');
  const invite = message(
    [
      `INVITE ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${source}:${localPort};branch=${branch};rport`,
      `From: ${from}`,
      `To: ${to}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${options.fromUser}@${source}:${localPort}>`,
      ...(options.pai ? [`P-Asserted-Identity: <sip:${options.pai}@${source}>`] : []),
    ],
    sdp,
  );

  try {
    const final = await new Promise<{ status: number; reason: string; headers: Record<string, string> }>(
      (resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          reject(new Error(`no final SIP answer to INVITE ${uri}`));
        }, options.timeoutMs ?? 15_000);
        const onMessage = (data: Buffer) => {
          const [first, ...rest] = data.toString('utf8').split('\r\n');
          const match = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(first);
          if (!match || !data.includes(branch)) return;
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
        send(invite);
      },
    );
    const toWithTag = final.headers.to ?? to;
    if (final.status >= 300) {
      // the ACK of a non-2xx answer belongs to the INVITE's transaction (same branch)
      send(
        message([
          `ACK ${uri} SIP/2.0`,
          `Via: SIP/2.0/UDP ${source}:${localPort};branch=${branch};rport`,
          `From: ${from}`,
          `To: ${toWithTag}`,
          'CSeq: 1 ACK',
        ]),
      );
    } else {
      for (const [method, cseq] of [
        ['ACK', 1],
        ['BYE', 2],
      ] as const)
        send(
          message([
            `${method} ${uri} SIP/2.0`,
            `Via: SIP/2.0/UDP ${source}:${localPort};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
            `From: ${from}`,
            `To: ${toWithTag}`,
            `CSeq: ${cseq} ${method}`,
          ]),
        );
    }
    const challenged =
      (final.status === 401 && final.headers['www-authenticate'] !== undefined) || final.status === 407;
    return { ...final, challenged };
  } finally {
    // let the ACK leave before the socket goes
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.close();
  }
}
