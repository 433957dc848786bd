import { MemberRoleRequest } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Changes a member's role in a work group (the owner hands over ownership with `owner`). */
export const PATCH: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { role } = await readJson(request, MemberRoleRequest);
  await locals.services.spaces.setRole(user, params.spaceId, params.personId, role);
  return { personId: params.personId, role };
});

/** Removes a member; removing oneself is leaving. */
export const DELETE: RequestHandler = api(async ({ locals, params }) => {
  await locals.services.spaces.remove(requireUser(locals), params.spaceId, params.personId);
  return { personId: params.personId };
});

export const _api = describeRoute({
  PATCH: {
    summary: {
      fr: 'Fait d’un membre d’un groupe de travail un copropriétaire ou un membre ; `owner` transmet la propriété',
      en: 'Makes a work group member co-owner or member; `owner` hands over ownership',
    },
    tag: 'membership',
    access: {
      fr: 'Qui gère le groupe de travail (le propriétaire pour transmettre la propriété).',
      en: 'Managers of the work group (the owner to hand over ownership).',
    },
    body: MemberRoleRequest,
    response: z.object({ personId: z.string(), role: MemberRoleRequest.shape.role }),
    errors: ['not_found', 'conflict'],
  },
  DELETE: {
    summary: {
      fr: 'Retire un membre ; son propre identifiant, c’est partir (le propriétaire transmet d’abord, sauf s’il est seul)',
      en: 'Removes a member; one’s own id leaves (the owner hands over first unless alone)',
    },
    tag: 'membership',
    access: {
      fr: 'Qui gère l’espace, ou le membre lui-même.',
      en: 'Managers of the space, or the member themself.',
    },
    response: z.object({ personId: z.string() }),
    errors: ['not_found', 'conflict'],
  },
});
