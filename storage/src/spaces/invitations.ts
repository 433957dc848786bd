import { randomUUID } from 'node:crypto';
import type { Invitation, SpaceKind } from '@preau/protocol';
import { displayName, type Executor } from '../identity/directory';

/** A fresh invitation id. */
export function newInvitationId(): string {
  return `inv${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** Records a pending invitation; null when one is already pending for that person. */
export async function insertInvitation(
  db: Executor,
  input: { spaceId: string; personId: string; invitedBy: string },
): Promise<string | null> {
  const id = newInvitationId();
  const row = await db
    .insertInto('space_invitation')
    .values({
      id,
      space_id: input.spaceId,
      person_id: input.personId,
      invited_by: input.invitedBy,
    })
    .onConflict((oc) =>
      oc.columns(['space_id', 'person_id']).where('answered_at', 'is', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Closes a pending invitation with its answer; false when it was not pending. */
export async function closeInvitation(
  db: Executor,
  id: string,
  answer: 'accepted' | 'declined' | 'withdrawn',
): Promise<boolean> {
  const res = await db
    .updateTable('space_invitation')
    .set({ answer, answered_at: new Date() })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Pending invitations, to one person or into one space, with names resolved now. */
export async function pendingInvitations(
  db: Executor,
  filter: { personId?: string; spaceId?: string; id?: string },
): Promise<Invitation[]> {
  let query = db
    .selectFrom('space_invitation as i')
    .innerJoin('space', 'space.id', 'i.space_id')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .innerJoin('person as by', 'by.id', 'i.invited_by')
    .select([
      'i.id',
      'i.space_id',
      'i.person_id',
      'i.invited_by',
      'i.created_at',
      'space.name as spaceName',
      'space.kind as spaceKind',
      'p.given_name as pg',
      'p.family_name as pf',
      'by.given_name as bg',
      'by.family_name as bf',
    ])
    .where('i.answered_at', 'is', null);
  if (filter.personId) query = query.where('i.person_id', '=', filter.personId);
  if (filter.spaceId) query = query.where('i.space_id', '=', filter.spaceId);
  if (filter.id) query = query.where('i.id', '=', filter.id);
  const rows = await query.orderBy('i.created_at', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    spaceId: r.space_id,
    spaceName: r.spaceName,
    spaceKind: r.spaceKind as SpaceKind,
    personId: r.person_id,
    personName: displayName({ given_name: r.pg, family_name: r.pf }),
    invitedBy: r.invited_by,
    invitedByName: displayName({ given_name: r.bg, family_name: r.bf }),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
