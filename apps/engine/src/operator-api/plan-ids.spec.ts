import { planIdRange } from './plan-ids';

describe('planIdRange', () => {
  it('spans every uuid that begins with the prefix, whatever its case', () => {
    expect(planIdRange('3F2A9C1B')).toEqual({
      low: '3f2a9c1b-0000-0000-0000-000000000000',
      high: '3f2a9c1b-ffff-ffff-ffff-ffffffffffff',
    });
    expect(planIdRange('3f2a9c1b-4')).toEqual({
      low: '3f2a9c1b-4000-0000-0000-000000000000',
      high: '3f2a9c1b-4fff-ffff-ffff-ffffffffffff',
    });
  });

  it('is null for text no uuid begins with', () => {
    expect(planIdRange('not-a-plan')).toBeNull();
    expect(planIdRange('3f2a9c1b4')).toBeNull();
    expect(planIdRange('3f2a9c1b-4000-0000-0000-0000000000001')).toBeNull();
  });
});
