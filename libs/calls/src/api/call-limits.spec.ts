import { DomainError } from '@pbx/common';
import { limitRefusal, restrictPlan } from './call-limits';

describe('call limits', () => {
  const plan = [
    { trunkId: 1, trunkName: 'a', dial: '0900' },
    { trunkId: 2, trunkName: 'b', dial: '0900' },
    { trunkId: 3, trunkName: 'c', dial: '0900' },
  ];

  it('keeps the route plan of an unlimited token as it is', () => {
    expect(restrictPlan(undefined, plan)).toEqual(plan);
    expect(restrictPlan({ extensions: ['1001'], trunkIds: null, maxConcurrentCalls: 1 }, plan)).toEqual(plan);
  });

  it('keeps only the allowed trunks, in the route order', () => {
    const limits = { extensions: null, trunkIds: [3, 1], maxConcurrentCalls: null };
    expect(restrictPlan(limits, plan).map((s) => s.trunkId)).toEqual([1, 3]);
    expect(restrictPlan({ ...limits, trunkIds: [9] }, plan)).toEqual([]);
  });

  it('refuses with 403 forbidden naming the field', () => {
    const error = limitRefusal('trunk_id', 'no');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('forbidden');
    expect(error.details).toEqual([{ field: 'trunk_id', message: 'no' }]);
  });
});
