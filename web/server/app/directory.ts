import {
  type ImportReport,
  MEMBERSHIP_CHANNEL,
  type PersonsPage,
  type PersonsQuery,
  type School,
  type SchoolWithClasses,
} from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import {
  classSizes,
  directoryCounts,
  distinguishersOf,
  type Fanout,
  importDirectoryCsv,
  listClasses,
  listPersons,
  listSchools,
  type Schema,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import { type Caller, requirePlatformRole } from './roles';

/** What the directory service works with. */
export interface DirectoryDeps {
  db: Kysely<Schema>;
  fanout: Fanout;
  log: Logger;
}

/**
 * The directory as its admins see it: the import of a CSV file, the
 * schools with their classes and sizes, and the people. Directory admins only.
 */
export class DirectoryService {
  readonly #deps: DirectoryDeps;

  constructor(deps: DirectoryDeps) {
    this.#deps = deps;
  }

  /**
   * Imports a directory CSV file (applied only if every line is good), then
   * announces each committed class membership change on the fan-out, so
   * live connections follow.
   */
  async import(user: Caller, csv: string): Promise<ImportReport> {
    const admin = requirePlatformRole(user, 'admin');
    const { db, log, fanout } = this.#deps;
    const { memberships = [], ...report } = await importDirectoryCsv(db, csv, admin.id);
    log.info({ admin: admin.id, applied: report.applied, lines: report.lines }, 'directory import');
    for (const change of memberships)
      background(
        log,
        'announce membership change',
        fanout.publish(MEMBERSHIP_CHANNEL, JSON.stringify(change)),
      );
    return report as ImportReport;
  }

  /** Every school (for choosers). */
  schoolList(user: Caller): Promise<School[]> {
    requirePlatformRole(user, 'admin');
    return listSchools(this.#deps.db);
  }

  /** Every school with its classes. */
  async schools(user: Caller): Promise<SchoolWithClasses[]> {
    requirePlatformRole(user, 'admin');
    const { db } = this.#deps;
    const [schools, classes] = [await listSchools(db), await listClasses(db)];
    return schools.map((s) => ({ ...s, classes: classes.filter((c) => c.uai === s.uai) }));
  }

  /** The directory at a glance: counts, schools, their classes and sizes. */
  async overview(user: Caller) {
    requirePlatformRole(user, 'admin');
    const { db } = this.#deps;
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
  }

  /** People searched by name or login, filtered by school, paged. */
  persons(user: Caller, query: PersonsQuery): Promise<PersonsPage> {
    requirePlatformRole(user, 'admin');
    return listPersons(this.#deps.db, query);
  }

  /**
   * People with their classes, which tell apart two people with the same
   * name (the login too, in its own column), for the admin's list.
   */
  async personsWithClasses(user: Caller, query: PersonsQuery) {
    const found = await this.persons(user, query);
    const classes = await distinguishersOf(
      this.#deps.db,
      found.persons.map((p) => p.id),
    );
    return {
      total: found.total,
      persons: found.persons.map((p) => ({ ...p, classes: classes.get(p.id)?.classes ?? [] })),
    };
  }
}
