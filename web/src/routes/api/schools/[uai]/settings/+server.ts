import { SchoolSettings } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** A school's bounds on work groups. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.settings(requireUser(locals), params.uai),
);

/** Sets a school's bounds (its staff, admins). */
export const PUT: RequestHandler = api(async ({ locals, params, request }) => {
  const settings = await readJson(request, SchoolSettings);
  return locals.services.spaces.putSettings(requireUser(locals), params.uai, settings);
});
