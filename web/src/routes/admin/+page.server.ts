import { classSizes, directoryCounts, listClasses, listSchools } from '@preau/storage';
import type { PageServerLoad } from './$types';

/** The directory at a glance: schools, their classes and sizes. */
export const load: PageServerLoad = async ({ locals }) => {
  const db = locals.services.database.db;
  const [counts, schools, classes, sizes] = [
    await directoryCounts(db),
    await listSchools(db),
    await listClasses(db),
    await classSizes(db),
  ];
  return {
    counts,
    schools: schools.map((s) => ({
      ...s,
      classes: classes
        .filter((c) => c.uai === s.uai)
        .map((c) => ({ ...c, ...(sizes.get(c.id) ?? { teachers: 0, students: 0 }) })),
    })),
  };
};
