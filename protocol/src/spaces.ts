import { z } from 'zod';

/**
 * Kinds of spaces. A space is what a class or group owns: chat, pads,
 * boards, a live room; its id is the kind's prefix and the owner's id.
 */
export const SpaceKind = z.enum(['class', 'group', 'project']);
export type SpaceKind = z.infer<typeof SpaceKind>;

/** The space of a class (a school's *division*). */
export function classSpaceId(classId: string): string {
  return `class_${classId}`;
}

/** The kind and owner id of a space id, or null when it is not one. */
export function parseSpaceId(spaceId: string): { kind: SpaceKind; ownerId: string } | null {
  const match = /^(class|group|project)_(.+)$/.exec(spaceId);
  return match ? { kind: match[1] as SpaceKind, ownerId: match[2]! } : null;
}
