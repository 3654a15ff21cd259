import { parseSimplePath, resolveSimplePath } from './simple-path';

describe('simple JSONPath', () => {
  it.each([
    ['$', []],
    ['$.state', ['state']],
    ['$.resource.kind', ['resource', 'kind']],
    ['$.items[0].id', ['items', 0, 'id']],
    ["$.labels['topology.kubernetes.io/zone']", ['labels', 'topology.kubernetes.io/zone']],
    ['$.labels["a-b"]', ['labels', 'a-b']],
  ])('parses %s', (path, steps) => {
    expect(parseSimplePath(path)).toEqual({ steps });
  });

  it.each([
    ['state', 'must start with "$"'],
    ['$..id', 'recursive descent'],
    ['$.items[?(@.id == 1)]', 'filter and script expressions'],
    ['$.items[(@.length-1)]', 'filter and script expressions'],
    ['$.items[*]', 'wildcards'],
    ['$.*', 'wildcards'],
    ['$.a b', 'cannot read " b"'],
    ['$.items[01]', 'cannot read'],
    [`$${'.a'.repeat(33)}`, 'more than 32 steps'],
  ])('refuses %s', (path, message) => {
    expect(parseSimplePath(path).error).toContain(message);
  });

  it('resolves own properties and indexes, and yields undefined for anything missing', () => {
    const value = { a: { b: [10, { c: 'x' }] }, n: null };
    expect(resolveSimplePath(value, '$.a.b[1].c')).toBe('x');
    expect(resolveSimplePath(value, '$.a.b[0]')).toBe(10);
    expect(resolveSimplePath(value, '$')).toBe(value);
    expect(resolveSimplePath(value, '$.a.missing.deeper')).toBeUndefined();
    expect(resolveSimplePath(value, '$.n.x')).toBeUndefined();
    expect(resolveSimplePath(value, '$.a[0]')).toBeUndefined();
    expect(resolveSimplePath(value, '$.constructor')).toBeUndefined();
    expect(resolveSimplePath(value, '$.a.toString')).toBeUndefined();
  });

  it('throws on a path the validator would have refused', () => {
    expect(() => resolveSimplePath({}, '$..x')).toThrow('unsupported rule path');
  });
});
