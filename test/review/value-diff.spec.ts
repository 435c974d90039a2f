import { changedPaths } from '../../lib/review/value-diff';

describe('changedPaths', () => {
  test('equal values (CloudFormation equality: 10 equals "10") have no changed path', () => {
    expect(changedPaths({ Port: 10, Tags: [{ Key: 'a' }] }, { Port: '10', Tags: [{ Key: 'a' }] })).toEqual([]);
  });

  test('a nested change is reported at its leaf', () => {
    expect(changedPaths({ A: { B: { C: 1, D: 2 } } }, { A: { B: { C: 1, D: 3 } } })).toEqual([['A', 'B', 'D']]);
  });

  test('what one side adds or drops is listed leaf by leaf', () => {
    expect(changedPaths({ A: 1 }, { A: 1, B: { C: 1, D: [1] } })).toEqual([
      ['B', 'C'],
      ['B', 'D', 0],
    ]);
    expect(changedPaths({ L: [1, 2, 3] }, { L: [1] })).toEqual([
      ['L', 1],
      ['L', 2],
    ]);
  });

  test('an intrinsic function is a leaf', () => {
    expect(changedPaths({ A: { Ref: 'X' } }, { A: { Ref: 'Y' } })).toEqual([['A']]);
    expect(changedPaths({ A: { Ref: 'X' } }, { A: { B: 1 } })).toEqual([['A']]);
  });
});
