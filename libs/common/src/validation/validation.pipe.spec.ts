import { IsObject, IsOptional, IsString } from 'class-validator';
import { DomainError } from '../errors/domain.error';
import { ApiValidationPipe, shapeProblem } from './validation.pipe';

class Body {
  @IsString()
  name!: string;

  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;
}

describe('ApiValidationPipe', () => {
  const pipe = new ApiValidationPipe();
  const refuse = async (value: unknown) => {
    const error = await pipe.transform(value, { type: 'body', metatype: Body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details;
  };

  it('accepts well-formed text, including characters outside the BMP', async () => {
    await expect(
      pipe.transform({ name: 'Zoë 😀', headers: { Ticket: '☎ 42' } }, { type: 'body', metatype: Body }),
    ).resolves.toMatchObject({ name: 'Zoë 😀' });
  });

  it('refuses a lone surrogate or a NUL anywhere, naming the field', async () => {
    expect(await refuse({ name: 'a\ud800b' })).toEqual([{ field: 'name', message: expect.stringMatching(/Unicode/) }]);
    expect(await refuse({ name: 'x', headers: { Ticket: '\udc00' } })).toEqual([
      { field: 'headers.Ticket', message: expect.any(String) },
    ]);
    expect(await refuse({ name: 'a\u0000' })).toEqual([{ field: 'name', message: expect.any(String) }]);
    expect(shapeProblem({ body: { x: 'a\u0000' } }, 'body')).toEqual({ field: 'body.x', message: expect.any(String) });
    expect(await refuse({ name: 'x', headers: { ['k\ud800']: 'v' } })).toEqual([
      { field: 'body', message: expect.stringMatching(/keys/) },
    ]);
  });

  it('refuses bodies nested deeper than 32 levels without recursing', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(shapeProblem(deep, 'body')).toEqual({ field: 'body', message: 'nested deeper than 32 levels' });
    expect(shapeProblem({ a: { b: ['ok'] } }, 'body')).toBeNull();
  });
});
