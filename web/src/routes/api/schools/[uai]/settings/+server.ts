import { SchoolSettings } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** A school's bounds on work groups. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.settings(requireUser(locals), params.uai),
);

/** Sets a school's bounds (its staff, admins). */
export const PUT: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const settings = await readJson(request, SchoolSettings);
  return locals.services.spaces.putSettings(user, params.uai, settings);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les bornes que l’établissement fixe aux groupes de travail de ses élèves',
      en: 'A school’s bounds on its students’ work groups',
    },
    tag: 'school',
    access: 'schoolStaff',
    params: { uai: { fr: 'l’UAI de l’établissement', en: 'the school’s UAI' } },
    response: SchoolSettings,
    errors: ['forbidden'],
  },
  PUT: {
    summary: { fr: 'Fixe ces bornes', en: 'Sets those bounds' },
    tag: 'school',
    access: 'schoolStaff',
    params: { uai: { fr: 'l’UAI de l’établissement', en: 'the school’s UAI' } },
    body: SchoolSettings,
    response: SchoolSettings,
  },
});
