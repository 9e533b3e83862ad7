import { ApiValidationPipe, DomainError } from '@pbx/common';
import { ListDeliveriesQuery } from './list-deliveries.query';
import { CreateWebhookDto, UpdateWebhookDto, webhookUrlProblem } from './webhook.dto';

describe('webhook input', () => {
  const pipe = new ApiValidationPipe();
  const body = (metatype: unknown, value: unknown) =>
    pipe.transform(value, { type: 'body', metatype: metatype as never });
  const fieldsOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return [...new Set(((error as DomainError).details as Array<{ field: string }>).map((p) => p.field))];
    }
    throw new Error('expected a validation error');
  };

  it.each([
    'https://crm.example.com/hooks/pbx?x=1',
    'http://127.0.0.1:8080/in',
    'http://localhost/x',
    'https://[::1]:8443/',
  ])('accepts %p', (url) => expect(webhookUrlProblem(url)).toBeNull());

  it.each([
    ['ftp://example.com/x', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['/relative/path', /absolute/],
    ['https://user:pass@example.com/', /credentials/],
    ['https://token@example.com/', /credentials/],
    ['https://example.com/a\r\nX-Injected: 1', /control/],
    ['https://example.com/a b', /spaces/],
  ])('refuses %p', (url, message) => expect(webhookUrlProblem(url)).toMatch(message));

  it('takes a valid subscription and its defaults', async () => {
    await expect(
      body(CreateWebhookDto, { url: 'https://crm.example.com/h', events: ['pbx.call.hangup'] }),
    ).resolves.toBeInstanceOf(CreateWebhookDto);
  });

  it('names every failing field', async () => {
    const long = `https://example.com/${'a'.repeat(2000)}`;
    expect(await fieldsOf(body(CreateWebhookDto, { url: long, events: [] }))).toEqual(
      expect.arrayContaining(['url', 'events']),
    );
    expect(
      await fieldsOf(
        body(CreateWebhookDto, { url: 'https://x.example', events: ['pbx.call.ringing', 'pbx.call.bogus'] }),
      ),
    ).toEqual(['events']);
    expect(
      await fieldsOf(
        body(CreateWebhookDto, { url: 'https://x.example', events: ['pbx.call.ringing'], format: 'hubspot' }),
      ),
    ).toEqual(['format']);
    expect(
      await fieldsOf(body(CreateWebhookDto, { url: 'https://x.example', events: ['pbx.call.ringing'], active: 'yes' })),
    ).toEqual(['active']);
    expect(
      await fieldsOf(
        body(CreateWebhookDto, { url: 'https://x.example', events: ['pbx.call.ringing'], secret: 'mine' }),
      ),
    ).toEqual(['secret']);
    expect(await fieldsOf(body(UpdateWebhookDto, { events: null }))).toEqual(['events']);
  });

  it('reads limit and before_id from the query only when they are plain integers in range', async () => {
    const query = (value: unknown) => pipe.transform(value, { type: 'query', metatype: ListDeliveriesQuery });
    await expect(query({ limit: '10', before_id: '99' })).resolves.toEqual(
      Object.assign(new ListDeliveriesQuery(), { limit: 10, before_id: 99 }),
    );
    for (const bad of [
      { limit: '0' },
      { limit: '201' },
      { limit: 'ten' },
      { limit: '1.5' },
      { limit: '' },
      { before_id: '-1' },
    ]) {
      expect(await fieldsOf(query(bad))).toEqual([Object.keys(bad)[0]]);
    }
  });
});
