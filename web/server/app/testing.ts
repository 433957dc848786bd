import type { ErrorBody, PreauError, SessionUser } from '@preau/protocol';
import type { Schema } from '@preau/storage';
import { sessionUserOf } from '@preau/storage';
import type { Kysely } from 'kysely';

// Helpers shared by the services' integration tests (never imported by the server).

/** The demo directory's people as sessions see them: by login, or the n-th student of a class. */
export function demoPeople(db: Kysely<Schema>) {
  const user = async (login: string): Promise<SessionUser> => {
    const row = await db
      .selectFrom('person')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirstOrThrow();
    return (await sessionUserOf(db, row.id))!;
  };
  const studentOf = async (classId: string, n: number): Promise<SessionUser> => {
    const rows = await db
      .selectFrom('class_member')
      .innerJoin('person', 'person.id', 'class_member.person_id')
      .select('person.login')
      .where('class_member.class_id', '=', classId)
      .where('class_member.role', '=', 'student')
      .orderBy('person.login')
      .execute();
    return user(rows[n]!.login);
  };
  return { user, studentOf };
}

/** The typed refusal a call ends with (its code and issues), or null when it succeeds. */
export async function refusal(
  call: Promise<unknown>,
): Promise<{ code: PreauError['code']; issues: ErrorBody['issues'] } | null> {
  try {
    await call;
  } catch (err) {
    return { code: (err as PreauError).code, issues: (err as PreauError).issues };
  }
  return null;
}
