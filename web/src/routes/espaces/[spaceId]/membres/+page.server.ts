import {
  CreateGuestRequest,
  fromZodError,
  type GuestCreated,
  type Invitee,
  InviteeQuery,
  InviteRequest,
  MemberRoleRequest,
  SpaceStateRequest,
} from '@preau/protocol';
import { redirect } from '@sveltejs/kit';
import { requireUser } from '#lib/server/api';
import { refused } from '#lib/server/groups';
import type { Actions, PageServerLoad } from './$types';

/** Members, pending invitations, classes brought in: what the viewer may see and act on. */
export const load: PageServerLoad = async ({ locals, params, parent, url }) => {
  const { space } = await parent();
  const user = locals.user!;
  const spaces = locals.services.spaces;
  const can = (p: (typeof space.permissions)[number]) => space.permissions.includes(p);
  const withClasses = space.kind === 'project' || space.kind === 'teaching';
  return {
    members: await spaces.members(user, params.spaceId),
    pending: can('invite')
      ? await locals.services.invitations.pendingInto(user, params.spaceId)
      : [],
    classes: withClasses ? await spaces.classes(user, params.spaceId) : [],
    bringable: withClasses && can('invite') ? await spaces.bringable(user, params.spaceId) : [],
    isNew: url.searchParams.has('nouveau'),
  };
};

/** Runs one act of the spaces service; a refusal comes back as the form's error. */
async function act<T>(run: () => Promise<T>) {
  try {
    return await run();
  } catch (err) {
    return refused(err);
  }
}

function field(form: FormData, name: string): string {
  return String(form.get(name) ?? '');
}

export const actions: Actions = {
  /** Without scripts: the names matching what was typed, offered as check boxes. */
  search: async ({ locals, params, request }) => {
    const form = await request.formData();
    const q = InviteeQuery.safeParse({ q: field(form, 'q') });
    if (!q.success) return { found: [] as Invitee[], q: field(form, 'q') };
    return act(async () => ({
      found: await locals.services.invitations.invitees(
        requireUser(locals),
        params.spaceId,
        q.data.q,
      ),
      q: q.data.q,
    }));
  },
  /** Invites the chosen people. */
  invite: async ({ locals, params, request }) => {
    const form = await request.formData();
    const parsed = InviteRequest.safeParse({ personIds: form.getAll('personId').map(String) });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    return act(async () => {
      const sent = await locals.services.invitations.invite(
        requireUser(locals),
        params.spaceId,
        parsed.data.personIds,
      );
      return { invited: sent.length };
    });
  },
  /** Withdraws a pending invitation. */
  withdraw: async ({ locals, params, request }) => {
    const form = await request.formData();
    return act(async () => {
      await locals.services.invitations.withdraw(
        requireUser(locals),
        params.spaceId,
        field(form, 'invitation'),
      );
      return { done: true };
    });
  },
  /** Makes a member co-owner or member, or hands over ownership. */
  role: async ({ locals, params, request }) => {
    const form = await request.formData();
    const parsed = MemberRoleRequest.safeParse({ role: field(form, 'role') });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    return act(async () => {
      await locals.services.spaces.setRole(
        requireUser(locals),
        params.spaceId,
        field(form, 'person'),
        parsed.data.role,
      );
      return { done: true };
    });
  },
  /** Removes a member (a guest's access ends with it). */
  remove: async ({ locals, params, request }) => {
    const form = await request.formData();
    return act(async () => {
      await locals.services.spaces.remove(
        requireUser(locals),
        params.spaceId,
        field(form, 'person'),
      );
      return { done: true };
    });
  },
  /** Leaves the space (the owner alone archives it by leaving). */
  leave: async ({ locals, params }) => {
    const result = await act(async () => {
      await locals.services.spaces.remove(
        requireUser(locals),
        params.spaceId,
        requireUser(locals).id,
      );
      return null;
    });
    if (result) return result;
    redirect(303, '/');
  },
  /** Archives, suspends or reactivates the space. */
  state: async ({ locals, params, request }) => {
    const form = await request.formData();
    const reason = field(form, 'reason').trim();
    const parsed = SpaceStateRequest.safeParse({
      state: field(form, 'state'),
      ...(reason ? { reason } : {}),
    });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    return act(async () => {
      await locals.services.spaces.setState(
        requireUser(locals),
        params.spaceId,
        parsed.data.state,
        parsed.data.reason,
      );
      return { done: true };
    });
  },
  /** Brings a class the teacher teaches. */
  addClass: async ({ locals, params, request }) => {
    const form = await request.formData();
    return act(async () => {
      await locals.services.spaces.addClass(
        requireUser(locals),
        params.spaceId,
        field(form, 'classId'),
      );
      return { done: true };
    });
  },
  /** Creates a guest of the project; the personal link is shown once. */
  guest: async ({ locals, params, request }) => {
    const form = await request.formData();
    const parsed = CreateGuestRequest.safeParse({
      givenName: field(form, 'givenName'),
      familyName: field(form, 'familyName'),
      until: field(form, 'until'),
    });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    return act(
      async (): Promise<{ guest: GuestCreated }> => ({
        guest: await locals.services.guests.create(
          requireUser(locals),
          params.spaceId,
          parsed.data,
        ),
      }),
    );
  },
};
