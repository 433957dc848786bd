import { randomUUID } from 'node:crypto';
import {
  type Notification,
  PreauError,
  type ReportedContent,
  ReportedContent as ReportedContentSchema,
  type ReportRequest,
  type ReportView,
  type SessionUser,
} from '@preau/protocol';
import {
  directoryNames,
  docPlainText,
  findSpaceFile,
  findSpaceMessage,
  insertReport,
  markReportHandled,
  recordTrace,
  reportsOfSchool,
  type Schema,
  schoolsOfSpace,
  spaceFacts,
  staffOfSchools,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/**
 * Reports to a school's staff: a member who may `report` sends a message, a
 * document or a file with a reason; the report keeps a copy of the content
 * as it stood, is traced (`report.filed`: the target and the reason, not the
 * content) and notifies the staff of the space's school (a project's: its
 * teachers' schools). Staff read their school's reports and mark them handled.
 */
export class ReportsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #notify: (n: readonly Notification[]) => Promise<void>;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    notify: (n: readonly Notification[]) => Promise<void>;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#notify = deps.notify;
  }

  /** Files a report; returns its id. */
  async file(user: User, spaceId: string, input: ReportRequest): Promise<{ id: string }> {
    const grant = await this.#access.require(user, spaceId, 'report');
    const content = await this.#snapshot(spaceId, input.targetKind, input.targetId);
    const uais = await schoolsOfSpace(this.#db, spaceId);
    const id = `r${randomUUID().replaceAll('-', '')}`;
    await this.#db.transaction().execute(async (tx) => {
      await insertReport(
        tx,
        {
          id,
          spaceId,
          reporter: user.id,
          targetKind: input.targetKind,
          targetId: input.targetId,
          reason: input.reason,
          content,
          createdAt: new Date(),
        },
        uais,
      );
      await recordTrace(tx, {
        actor: user.id,
        kind: 'report.filed',
        space: spaceId,
        subject: id,
        payload: { targetKind: input.targetKind, targetId: input.targetId, reason: input.reason },
      });
    });
    const staff = await staffOfSchools(this.#db, uais);
    await this.#notify(
      staff
        .filter((p) => p !== user.id)
        .map((to) => ({
          type: 'report' as const,
          to,
          reportId: id,
          spaceId,
          spaceName: grant.facts.name,
          targetKind: input.targetKind,
        })),
    );
    return { id };
  }

  /** The reports a school's staff receive (its staff and admins only), newest first. */
  async inbox(user: User, uai: string): Promise<ReportView[]> {
    requireSchoolStaff(user, uai);
    const reports = await reportsOfSchool(this.#db, uai);
    const names = await directoryNames(this.#db)(
      reports.flatMap((r) => [r.reporter, ...(r.handledBy ? [r.handledBy] : [])]),
    );
    const spaces = await spaceFacts(
      this.#db,
      user.id,
      reports.map((r) => r.spaceId),
    );
    return reports.map((r) => {
      const content = ReportedContentSchema.safeParse(r.content);
      return {
        id: r.id,
        spaceId: r.spaceId,
        spaceName: spaces.get(r.spaceId)?.name ?? r.spaceId,
        reporter: r.reporter,
        reporterName: names.get(r.reporter) ?? '',
        targetKind: r.targetKind,
        targetId: r.targetId,
        reason: r.reason,
        content: content.success ? content.data : { author: null, title: null, text: '' },
        createdAt: r.createdAt.toISOString(),
        handledAt: r.handledAt?.toISOString() ?? null,
        handledByName: r.handledBy ? (names.get(r.handledBy) ?? '') : null,
      };
    });
  }

  /** Marks a report of the school handled (its staff). */
  async handled(user: User, uai: string, reportId: string): Promise<void> {
    requireSchoolStaff(user, uai);
    const space = await markReportHandled(this.#db, {
      uai,
      reportId,
      by: user.id,
      at: new Date(),
    });
    if (!space) throw new PreauError('not_found', 'no such report waiting in this school');
  }

  /** What was reported, as it stands now; `not_found` when it is not in this space. */
  async #snapshot(
    spaceId: string,
    kind: ReportRequest['targetKind'],
    targetId: string,
  ): Promise<ReportedContent> {
    switch (kind) {
      case 'message': {
        const m = await findSpaceMessage(this.#db, spaceId, targetId);
        if (!m) throw new PreauError('not_found', 'no such message');
        return { author: m.authorName, title: null, text: m.text };
      }
      case 'file': {
        const f = await findSpaceFile(this.#db, spaceId, targetId);
        if (!f) throw new PreauError('not_found', 'no such file');
        const names = await directoryNames(this.#db)([f.uploadedBy]);
        return {
          author: names.get(f.uploadedBy) ?? null,
          title: f.name,
          text: `${f.mimeType}, ${f.size} octets, SHA-256 ${f.sha256}`,
        };
      }
      case 'doc': {
        const d = await docPlainText(this.#db, targetId);
        if (!d || d.space !== spaceId) throw new PreauError('not_found', 'no such document');
        return { author: null, title: d.title, text: d.text };
      }
    }
  }
}

/** The school's staff (CPE, head) or an admin; `forbidden` otherwise. */
function requireSchoolStaff(user: User, uai: string) {
  const staff = user.profiles.some((p) => p.kind === 'staff' && p.uai === uai);
  if (!staff && !user.roles.includes('admin'))
    throw new PreauError('forbidden', 'reports go to the school’s staff');
}
