import {
  type MarkShape,
  type MarkView,
  PRESENTATION_LIMITS,
  PreauError,
  type PresentationView,
} from '@preau/protocol';
import {
  clearMarks,
  closePresentationsOf,
  findSpaceFile,
  insertMark,
  insertPresentation,
  marksOfPage,
  openPresentationOf,
  type Schema,
  type StoredMark,
  type StoredPresentation,
  updatePresentation,
} from '@preau/storage';
import type { Transaction } from 'kysely';
import { newId } from '../session/ids';
import type { Participant } from '../session/LiveSession';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';

/** The PDF a session shows now, with the marks of the page shown. */
interface Current {
  stored: StoredPresentation;
  marks: MarkView[];
}

/**
 * A session's presentation of a PDF: a moderator presents one of the
 * space's PDF files; everyone sees the same page; moderators, and the one
 * participant they allow, turn the pages and draw on them. The page shown
 * and who controls it are stored with the session (a late joiner or a
 * restarted server finds them); marks are stored with the file, so the PDF
 * keeps its annotations from one session to the next. Every act is traced
 * in the transaction that stores it.
 */
export class SessionPresentation {
  readonly #s: SessionContext;
  #current: Current | null = null;
  #loaded: Promise<void> | null = null;

  constructor(session: SessionContext) {
    this.#s = session;
  }

  /** Loads what the session presented before (a restart), once, inside the queue. */
  load(): Promise<void> {
    this.#loaded ??= this.#load().catch((err: unknown) => {
      this.#loaded = null;
      throw err;
    });
    return this.#loaded;
  }

  async #load() {
    this.#current = await this.#s.write(async (tx) => {
      const stored = await openPresentationOf(tx, this.#s.id);
      if (!stored) return null;
      return { stored, marks: (await marksOfPage(tx, stored.fileId, stored.page)).map(markView) };
    });
  }

  /** What everyone sees now, or null. */
  view(): PresentationView | null {
    const c = this.#current;
    if (!c) return null;
    return {
      presentationId: c.stored.id,
      fileId: c.stored.fileId,
      name: c.stored.name,
      pages: c.stored.pages,
      page: c.stored.page,
      controller: c.stored.controller,
      openedBy: c.stored.openedBy,
      marks: c.marks,
    };
  }

  /** A moderator presents a PDF of the space to everyone, from page 1 (closing any other). */
  open(actor: Actor, req: { fileId: string; pages: number }): Promise<PresentationView> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const at = s.now();
      const stored: StoredPresentation = {
        id: newId('pr'),
        sessionId: s.id,
        spaceId: s.space,
        fileId: req.fileId,
        name: '',
        pages: req.pages,
        page: 1,
        controller: null,
        openedBy: p.id,
        openedAt: at,
      };
      const marks = await s.write(async (tx) => {
        const file = await findSpaceFile(tx, s.space, req.fileId);
        if (!file) throw new PreauError('not_found', 'no such file in this space');
        if (file.mimeType !== 'application/pdf') {
          throw new PreauError('bad_request', 'only a PDF can be presented');
        }
        stored.name = file.name;
        await this.#closeIn(tx, p.id, at, 'replaced');
        await insertPresentation(tx, stored);
        await s.trace(
          tx,
          p.id,
          'presentation.opened',
          stored.id,
          {
            session: s.id,
            file: file.id,
            name: file.name,
            sha256: file.sha256,
            pages: stored.pages,
          },
          at,
        );
        return marksOfPage(tx, file.id, 1);
      });
      this.#current = { stored, marks: marks.map(markView) };
      return this.#announce();
    });
  }

  /** A moderator or the controller shows another page to everyone. */
  page(actor: Actor, page: number): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const { p, c } = this.#requireControl(actor);
      checkPage(c, page);
      if (c.stored.page === page) return;
      const marks = await s.write(async (tx) => {
        await updatePresentation(tx, c.stored.id, { page });
        await s.trace(tx, p.id, 'presentation.page', c.stored.id, {
          session: s.id,
          file: c.stored.fileId,
          page,
        });
        return marksOfPage(tx, c.stored.fileId, page);
      });
      c.stored.page = page;
      c.marks = marks.map(markView);
      this.#announce();
    });
  }

  /** A moderator lets one participant turn the pages and draw, or takes it back (null). */
  control(actor: Actor, participantId: string | null): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const c = this.#requireOpen();
      if (participantId !== null) s.present(participantId);
      if (c.stored.controller === participantId) return;
      await s.write(async (tx) => {
        await updatePresentation(tx, c.stored.id, { controller: participantId });
        await s.trace(tx, p.id, 'presentation.control', c.stored.id, {
          session: s.id,
          controller: participantId,
          ...(participantId ? { target: participantId } : {}),
        });
      });
      c.stored.controller = participantId;
      this.#announce();
    });
  }

  /** A moderator or the controller draws on a page; everyone on that page sees it at once. */
  mark(actor: Actor, req: { page: number; shape: MarkShape }): Promise<MarkView> {
    const s = this.#s;
    return s.run(async () => {
      const { p, c } = this.#requireControl(actor);
      checkPage(c, req.page);
      const at = s.now();
      const mark: StoredMark = {
        id: newId('mk'),
        spaceId: s.space,
        fileId: c.stored.fileId,
        page: req.page,
        shape: req.shape,
        authorId: p.id,
        sessionId: s.id,
        createdAt: at,
      };
      await s.write(async (tx) => {
        const count = (await marksOfPage(tx, mark.fileId, mark.page)).length;
        if (count >= PRESENTATION_LIMITS.marksPerPage) {
          throw new PreauError('conflict', 'this page holds too many marks: clear it first');
        }
        await insertMark(tx, mark);
        // The shape is in the trace: the archive keeps what was drawn, even once cleared.
        await s.trace(
          tx,
          p.id,
          'presentation.marked',
          mark.fileId,
          {
            session: s.id,
            presentation: c.stored.id,
            mark: mark.id,
            page: mark.page,
            shape: req.shape,
          },
          at,
        );
      });
      const view = markView(mark);
      if (c.stored.page === mark.page) c.marks = [...c.marks, view];
      s.broadcast('presentation.marked', view);
      return view;
    });
  }

  /** A moderator or the controller clears a page's marks (the archive keeps their traces). */
  clear(actor: Actor, page: number): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const { p, c } = this.#requireControl(actor);
      checkPage(c, page);
      await s.write(async (tx) => {
        const count = await clearMarks(tx, c.stored.fileId, page);
        await s.trace(tx, p.id, 'presentation.cleared', c.stored.fileId, {
          session: s.id,
          presentation: c.stored.id,
          page,
          count,
        });
      });
      if (c.stored.page === page) c.marks = [];
      s.broadcast('presentation.cleared', { page });
    });
  }

  /** A moderator stops presenting. */
  close(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      this.#requireOpen();
      await s.write((tx) => this.#closeIn(tx, p.id, s.now(), 'closed'));
      this.#current = null;
      this.#announce();
    });
  }

  /** The session is ending: its presentation closes in the same transaction. */
  async endedIn(tx: Transaction<Schema>, by: string, at: Date): Promise<void> {
    await this.#closeIn(tx, by, at, 'ended');
    this.#current = null;
  }

  async #closeIn(tx: Transaction<Schema>, by: string, at: Date, reason: string) {
    for (const id of await closePresentationsOf(tx, this.#s.id, at)) {
      await this.#s.trace(tx, by, 'presentation.closed', id, { session: this.#s.id, reason }, at);
    }
  }

  #announce(): PresentationView {
    const view = this.view();
    this.#s.broadcast('presentation.updated', { presentation: view });
    return view!;
  }

  #requireOpen(): Current {
    if (!this.#current) throw new PreauError('conflict', 'nothing is being presented');
    return this.#current;
  }

  /** The participant, if a moderator or the one given control of an open presentation. */
  #requireControl(actor: Actor): { p: Participant; c: Current } {
    const p = this.#s.requireLive(actor);
    const c = this.#requireOpen();
    if (!p.moderator && c.stored.controller !== p.id) {
      throw new PreauError('forbidden', 'the teacher turns the pages');
    }
    return { p, c };
  }
}

function checkPage(c: Current, page: number) {
  if (page > c.stored.pages) throw new PreauError('bad_request', 'no such page');
}

function markView(m: StoredMark): MarkView {
  return {
    markId: m.id,
    page: m.page,
    shape: m.shape as MarkShape,
    by: m.authorId,
    at: m.createdAt.toISOString(),
  };
}
