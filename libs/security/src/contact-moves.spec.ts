import { ContactMoves } from './contact-moves';

describe('ContactMoves', () => {
  const make = () => {
    const moved = jest.fn();
    const monitor = new ContactMoves({ on: jest.fn() } as never, { banned: jest.fn(), contactMoved: moved });
    return { monitor, moved };
  };

  it('counts a new contact from another address while the old one is there', () => {
    const { monitor, moved } = make();
    monitor.onStatus('1001', 'sip:1001@10.0.0.5:5060', 'Created');
    monitor.onStatus('1001', 'sip:1001@10.0.0.5:5060', 'Updated');
    monitor.onStatus('1001', 'sip:1001@203.0.113.9:5060;transport=udp', 'Created');
    monitor.onStatus('1001', 'sip:1001@10.0.0.5:5060', 'Removed');
    expect(moved).toHaveBeenCalledTimes(1);
  });

  it('does not count a phone that unregistered first, or whose old contact was unreachable', () => {
    const { monitor, moved } = make();
    monitor.onStatus('1001', 'sip:1001@10.0.0.5:5060', 'Created');
    monitor.onStatus('1001', 'sip:1001@10.0.0.5:5060', 'Removed');
    monitor.onStatus('1001', 'sip:1001@10.0.0.6:5060', 'Created');
    monitor.onStatus('1001', 'sip:1001@10.0.0.6:5060', 'Unreachable');
    monitor.onStatus('1001', 'sip:1001@10.0.0.7:5060', 'Created');
    monitor.onStatus('1002', 'sip:1002@10.0.0.7:5060', 'Created');
    expect(moved).not.toHaveBeenCalled();
  });
});
