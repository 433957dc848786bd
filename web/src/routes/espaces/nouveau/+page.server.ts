import { CreateSpaceRequest, fromZodError, type MySpace } from '@preau/protocol';
import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import { requireUser } from '#lib/server/api';
import { refused } from '#lib/server/groups';
import type { Actions, PageServerLoad } from './$types';

/** Step 1 of creating a group: what and its name (inside a project with `?projet=`). */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname + url.search)}`);
  const projectId = url.searchParams.get('projet');
  let project: MySpace | null = null;
  if (projectId) {
    try {
      project = await locals.services.spaces.get(user, projectId);
    } catch (err) {
      pageError(err);
    }
  }
  const teacherOf = [
    ...new Set(user.profiles.filter((p) => p.kind === 'teacher').map((p) => p.uai)),
  ];
  return { project, teacherOf };
};

export const actions: Actions = {
  /** Creates the space and goes on to step 2: inviting people. */
  default: async ({ locals, request }) => {
    const form = await request.formData();
    const kind = String(form.get('kind') ?? 'group');
    const projectId = String(form.get('projectId') ?? '');
    const parsed = CreateSpaceRequest.safeParse({
      kind,
      name: String(form.get('name') ?? ''),
      ...(kind === 'group' && projectId ? { projectId } : {}),
      ...(kind === 'teaching' ? { uai: String(form.get('uai') ?? '') } : {}),
    });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    let space: MySpace;
    try {
      space = await locals.services.spaces.create(requireUser(locals), parsed.data);
    } catch (err) {
      return refused(err);
    }
    redirect(303, `/espaces/${space.id}/membres?nouveau=1`);
  },
};
