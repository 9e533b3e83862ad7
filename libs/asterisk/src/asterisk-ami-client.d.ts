declare module 'asterisk-ami-client' {
  import { EventEmitter } from 'node:events';

  export type AmiMessage = Record<string, string>;

  interface AmiClientOptions {
    reconnect?: boolean;
    maxAttemptsCount?: number;
    attemptsDelay?: number;
    keepAlive?: boolean;
    keepAliveDelay?: number;
    emitEventsByTypes?: boolean;
    eventTypeToLowerCase?: boolean;
    emitResponsesById?: boolean;
    addTime?: boolean;
  }

  export default class AmiClient extends EventEmitter {
    constructor(options?: AmiClientOptions);
    connect(user: string, secret: string, options: { host: string; port: number }): Promise<unknown>;
    disconnect(): void;
    action(message: AmiMessage, promisable?: boolean): Promise<AmiMessage>;
    get connected(): boolean;
  }
}
