/**
 * One HTTP request a renderer wants sent for one event. The dispatcher signs it, the sender
 * sends it; neither looks inside the body.
 */
export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** the whole URL, query string included (a GET's parameters go here) */
  url: string;
  /**
   * The format's own headers, lower-case (content-type, a partner's auth header). The sender
   * owns host, content-length (from the body), user-agent and the webhook-* signature headers,
   * and drops them from here.
   */
  headers: Record<string, string>;
  /** the exact bytes sent, which the signature covers; null sends no body (a GET) */
  body: string | null;
  /**
   * For partner formats whose reply routes the call (WireCRM's NOTIFY_START): the call waits
   * this long for the first attempt's reply. Carried to the sender with the request; nothing
   * reads the reply yet beyond the excerpt every attempt stores.
   */
  awaitReply?: { deadlineMs: number };
}

/**
 * The `webhook-id` of a delivery: the event id for an event's first request, `<event id>.<n>`
 * for its request n. It is the same on every retry of that request, and distinct for each
 * request of one event, so a receiver that drops repeated ids drops only true repeats.
 */
export function webhookId(eventId: string, requestIndex: number): string {
  return requestIndex === 0 ? eventId : `${eventId}.${requestIndex}`;
}
