import { ApiValidationPipe, DomainError } from '@pbx/common';
import { CreateTokenDto } from './create-token.dto';

describe('CreateTokenDto limits', () => {
  const pipe = new ApiValidationPipe();
  const validate = (body: object) =>
    pipe.transform({ name: 'crm', scopes: ['calls'], ...body }, { type: 'body', metatype: CreateTokenDto });
  const refusedFields = async (body: object) => {
    const error = await validate(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    return ((error as DomainError).details as Array<{ field: string }>).map((d) => d.field);
  };

  it('accepts no limits, or each limit within its bounds', async () => {
    await expect(validate({})).resolves.toBeDefined();
    await expect(
      validate({ extensions: ['100', '1234567890'], trunk_ids: [1, 2_147_483_647], max_concurrent_calls: 10_000 }),
    ).resolves.toBeDefined();
  });

  it.each([
    ['extensions', { extensions: ['1001', '1001'] }],
    ['extensions', { extensions: ['10a1'] }],
    ['extensions', { extensions: [1001] }],
    ['extensions', { extensions: null }],
    ['trunk_ids', { trunk_ids: [-1] }],
    ['trunk_ids', { trunk_ids: [2, 2] }],
    ['max_concurrent_calls', { max_concurrent_calls: '2' }],
  ])('refuses a bad %s naming it', async (field, body) => {
    expect(await refusedFields(body)).toContain(field);
  });
});
