import { randomInt } from 'node:crypto';
import { type BreakoutMode, PreauError } from '@preau/protocol';

/** How to fill the rooms, already resolved from the teacher's request. */
export type SplitPlan =
  | { mode: 'random'; rooms: number }
  | { mode: 'manual'; rooms: number; assignments: Record<string, number> }
  | { mode: 'choose'; rooms: number }
  | { mode: 'last'; previous: string[][] };

/** The number of rooms a plan opens. */
export function roomCount(plan: SplitPlan): number {
  return plan.mode === 'last' ? plan.previous.length : plan.rooms;
}

/**
 * Who goes in which room (index 0 is room 1), among the students present:
 * dealt out at random, as the teacher chose, none yet (they choose), or as
 * last time (students who were not there last time are dealt to the
 * smallest rooms). Students left out stay in the main room.
 */
export function splitStudents(plan: SplitPlan, students: readonly string[]): string[][] {
  const count = roomCount(plan);
  if (count < 2) throw new PreauError('bad_request', 'at least two rooms');
  const rooms: string[][] = Array.from({ length: count }, () => []);
  switch (plan.mode) {
    case 'random': {
      shuffle([...students]).forEach((id, i) => {
        rooms[i % count]!.push(id);
      });
      return rooms;
    }
    case 'manual': {
      const present = new Set(students);
      for (const [id, room] of Object.entries(plan.assignments)) {
        if (room > count) throw new PreauError('bad_request', `there are ${count} rooms`);
        if (present.has(id)) rooms[room - 1]!.push(id);
      }
      return rooms;
    }
    case 'choose':
      return rooms;
    case 'last': {
      const present = new Set(students);
      const placed = new Set<string>();
      plan.previous.forEach((ids, i) => {
        for (const id of ids) {
          if (present.has(id) && !placed.has(id)) {
            rooms[i]!.push(id);
            placed.add(id);
          }
        }
      });
      for (const id of shuffle(students.filter((s) => !placed.has(s)))) smallest(rooms).push(id);
      return rooms;
    }
    default:
      return plan satisfies never;
  }
}

/** Resolves a request into a plan (the last split read by the caller, null if none). */
export function planOf(
  req: { mode: BreakoutMode; rooms: number; assignments?: Record<string, number> | undefined },
  last: string[][] | null,
): SplitPlan {
  switch (req.mode) {
    case 'random':
    case 'choose':
      return { mode: req.mode, rooms: req.rooms };
    case 'manual':
      return { mode: 'manual', rooms: req.rooms, assignments: req.assignments ?? {} };
    case 'last':
      if (!last || last.length < 2) throw new PreauError('not_found', 'no previous split');
      return { mode: 'last', previous: last };
    default:
      return req.mode satisfies never;
  }
}

function smallest(rooms: string[][]): string[] {
  return rooms.reduce((a, b) => (b.length < a.length ? b : a));
}

/** Fisher–Yates with a cryptographic source (nobody guesses the draw). */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
