import { classesOfPerson, listClasses, listSchools, listSessions } from '@preau/storage';
import type { PageServerLoad } from './$types';

/** The home page: for a signed-in person, their classes, groups and live sessions. */
export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user;
  if (!user) return { home: null };
  const db = locals.services.database.db;
  const [classes, schools] = [await classesOfPerson(db, user.id), await listSchools(db)];
  const names = new Map(schools.map((s) => [s.uai, s.name]));
  const live = await listSessions(db, { spaces: classes.map((c) => c.space), open: true });
  // Staff (CPE, head) see every class of their schools.
  const staffSchools = user.profiles.filter((p) => p.kind === 'staff').map((p) => p.uai);
  const schoolClasses = (await listClasses(db)).filter((c) => staffSchools.includes(c.uai));
  return {
    home: {
      classes,
      profiles: user.profiles.map((p) => ({ ...p, schoolName: names.get(p.uai) ?? p.uai })),
      roles: user.roles,
      learns: user.profiles.some((p) => p.kind === 'student' || p.kind === 'teacher'),
      schoolClasses,
      live: live.map((s) => ({
        sessionId: s.id,
        classId: s.classId,
        title: s.title,
        className: classes.find((c) => c.space === s.space)?.name ?? '',
      })),
    },
  };
};
