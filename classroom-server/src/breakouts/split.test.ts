import { describe, expect, it } from 'vitest';
import { planOf, splitStudents } from './split';

const students = ['a', 'b', 'c', 'd', 'e'];

describe('splitStudents', () => {
  it('deals every student out at random, rooms differing by one at most', () => {
    const rooms = splitStudents({ mode: 'random', rooms: 2 }, students);
    expect(rooms.flat().sort()).toEqual(students);
    expect(rooms.map((r) => r.length).sort()).toEqual([2, 3]);
  });

  it('follows the teacher, leaves absent people out, refuses a room that does not exist', () => {
    const rooms = splitStudents(
      { mode: 'manual', rooms: 3, assignments: { a: 3, b: 1, zz: 2 } },
      students,
    );
    expect(rooms).toEqual([['b'], [], ['a']]);
    expect(() =>
      splitStudents({ mode: 'manual', rooms: 2, assignments: { a: 3 } }, students),
    ).toThrow(/2 rooms/);
  });

  it('reuses the last split and deals newcomers to the smallest rooms', () => {
    const rooms = splitStudents({ mode: 'last', previous: [['a', 'b', 'gone'], ['c']] }, students);
    expect(rooms[0]!.slice(0, 2)).toEqual(['a', 'b']);
    expect(rooms[1]!.slice(0, 1)).toEqual(['c']);
    expect(rooms.flat().sort()).toEqual(students);
    expect(Math.abs(rooms[0]!.length - rooms[1]!.length)).toBeLessThanOrEqual(1);
  });

  it('opens empty rooms when students choose, and needs a previous split to reuse one', () => {
    expect(splitStudents({ mode: 'choose', rooms: 2 }, students)).toEqual([[], []]);
    expect(() => planOf({ mode: 'last', rooms: 2 }, null)).toThrow(/no previous split/);
  });
});
