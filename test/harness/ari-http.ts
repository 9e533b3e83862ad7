/**
 * Plain ARI REST requests (fetch, basic auth) for what ari-client does awkwardly in tests: binary
 * answers (a stored recording's file) and operations on the PBX's channels beside the worker.
 */
export class AriHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** The answer's body as JSON (null when empty); a status of 300 or more throws, naming it. */
  async json(method: string, path: string, query: Record<string, string | number | boolean> = {}): Promise<unknown> {
    const body = await this.send(method, path, query);
    const text = body.toString('utf8');
    return text ? (JSON.parse(text) as unknown) : null;
  }

  /** The answer's body as bytes (a recording's file). */
  bytes(path: string): Promise<Buffer> {
    return this.send('GET', path, {});
  }

  private async send(method: string, path: string, query: Record<string, string | number | boolean>): Promise<Buffer> {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    const response = await fetch(`${this.baseUrl}/ari${path}${search ? `?${search}` : ''}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}` },
    });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status >= 300) {
      throw new AriHttpError(response.status, `${method} ${path}: ${response.status} ${body.toString('utf8')}`);
    }
    return body;
  }
}

export class AriHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
