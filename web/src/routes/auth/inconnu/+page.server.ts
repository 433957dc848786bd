import type { PageServerLoad } from './$types';

/** Explains a sign-in by someone the directory does not know. */
export const load: PageServerLoad = ({ cookies }) => {
  let found: { login?: string; logout?: string | null } = {};
  try {
    found = JSON.parse(cookies.get('preau_unknown') ?? '{}');
  } catch {
    found = {};
  }
  return { login: found.login ?? '', providerLogout: found.logout ?? null };
};
