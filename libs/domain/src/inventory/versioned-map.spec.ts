import fc from 'fast-check';
import { VersionedMap } from './versioned-map';

describe('VersionedMap', () => {
  it('reads every snapshot as a copy of the map taken then would, however it is set later', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(3)), { maxLength: 40 }),
        (sets) => {
          const map = new VersionedMap<string, number>();
          const copy = new Map<string, number>();
          const taken: Array<[ReadonlyMap<string, number>, Map<string, number>]> = [];
          for (const [key, value] of sets) {
            taken.push([map.snapshot(), new Map(copy)]);
            map.set(key, value);
            copy.set(key, value);
          }
          taken.push([map.snapshot(), new Map(copy)]);
          for (const [snapshot, expected] of taken) {
            expect([...snapshot]).toEqual([...expected]);
            expect(snapshot.size).toBe(expected.size);
            for (const key of ['a', 'b', 'c', 'd', 'e', 'z']) {
              expect(snapshot.get(key)).toBe(expected.get(key));
              expect(snapshot.has(key)).toBe(expected.has(key));
            }
            expect([...snapshot.keys()]).toEqual([...expected.keys()]);
            expect([...snapshot.values()]).toEqual([...expected.values()]);
            const seen: Array<[string, number]> = [];
            snapshot.forEach((value, key) => seen.push([key, value]));
            expect(seen).toEqual([...expected]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
