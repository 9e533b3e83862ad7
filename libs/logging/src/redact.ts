/** Query parameters that may carry credentials: their values never reach a log line. */
export const SECRET_QUERY_PARAMETERS = ['access_token', 'secret', 'token', 'voip', 'api_key', 'password'];

/** A recording link's path segment is its only secret (routes match case-insensitively). */
const RECORDING_PATH = /^(\/+recordings\/+)[^/?#]*?(\.mp3)?(?=[/?#]|$)/i;

/** The URL with a recording link's token and the values of secret query parameters replaced. */
export function redactUrl(url: string): string {
  url = url.replace(RECORDING_PATH, (_, prefix: string, mp3?: string) => `${prefix}[redacted]${mp3 ?? ''}`);
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const [rawName] = pair.split('=', 1);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        /* keep the raw name */
      }
      return SECRET_QUERY_PARAMETERS.includes(name.toLowerCase()) ? `${rawName}=[redacted]` : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}
