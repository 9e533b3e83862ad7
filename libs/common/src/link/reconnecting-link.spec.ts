import { LinkSession, ReconnectingLink } from './reconnecting-link';

/** A link over a fake connection the test controls. */
class FakeLink extends ReconnectingLink {
  attempts = 0;
  behaviour: 'ok' | 'fail' | 'hang' = 'ok';
  endSession: (reason: string) => void = () => undefined;
  aborted = 0;

  constructor() {
    super('fake', 50);
  }

  protected open(signal: AbortSignal): Promise<LinkSession> {
    this.attempts++;
    signal.addEventListener('abort', () => this.aborted++);
    if (this.behaviour === 'fail') return Promise.reject(new Error('refused'));
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    const closed = new Promise<string>((resolve) => (this.endSession = resolve));
    return Promise.resolve({ closed, close: () => this.endSession('closed by us') });
  }

  dropNow(): void {
    this.drop();
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};

describe('ReconnectingLink', () => {
  let link: FakeLink;
  afterEach(() => link.stop());

  it('connects, reports it, and reconnects after a loss with the state in between', async () => {
    link = new FakeLink();
    const events: string[] = [];
    link.on('connected', () => events.push('connected'));
    link.on('down', () => events.push('down'));
    link.start();
    await until(() => link.connected);
    link.endSession('peer went away');
    await until(() => events.length >= 3);
    expect(events).toEqual(['connected', 'down', 'connected']);
    expect(link.lastLostAt).toBeInstanceOf(Date);
  });

  it('gives up an open that does not answer within its deadline, aborts it, and tries again', async () => {
    link = new FakeLink();
    link.behaviour = 'hang';
    link.start();
    await until(() => link.attempts >= 2);
    expect(link.aborted).toBeGreaterThanOrEqual(1);
    expect(link.state).not.toBe('connected');
    link.behaviour = 'ok';
    await until(() => link.connected);
  });

  it('keeps retrying refused attempts, and a dropped session is reopened', async () => {
    link = new FakeLink();
    link.behaviour = 'fail';
    link.start();
    await until(() => link.attempts >= 3);
    link.behaviour = 'ok';
    await until(() => link.connected);
    const before = link.attempts;
    link.dropNow();
    await until(() => link.attempts > before && link.connected);
  });

  it('stops for good', async () => {
    link = new FakeLink();
    link.start();
    await until(() => link.connected);
    link.stop();
    const attempts = link.attempts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(link.attempts).toBe(attempts);
  });
});
