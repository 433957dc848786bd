import type { MarkShape, PresentationView, SessionSnapshot } from '@preau/protocol';
import { type LiveConnection, LiveRequestError } from '../connection';

/**
 * The PDF presented in the live room as the page sees it: the server's
 * view (file, page, controller, the shown page's marks) kept in step with
 * its events, and the actions. Who may act is the server's call; `canTurn`
 * only decides which controls the page shows.
 */
export class PresentationController {
  view = $state<PresentationView | null>(null);
  lastError = $state<string | null>(null);

  readonly #conn: LiveConnection;
  readonly #me: () => { id: string; moderator: boolean };

  constructor(conn: LiveConnection, me: () => { id: string; moderator: boolean }) {
    this.#conn = conn;
    this.#me = me;
    conn.on('presentation.updated', ({ presentation }) => {
      this.view = presentation;
    });
    conn.on('presentation.marked', (mark) => {
      const v = this.view;
      if (!v || v.page !== mark.page || v.marks.some((m) => m.markId === mark.markId)) return;
      this.view = { ...v, marks: [...v.marks, mark] };
    });
    conn.on('presentation.cleared', ({ page }) => {
      if (this.view?.page === page) this.view = { ...this.view, marks: [] };
    });
  }

  /** The state on (re)joining. */
  fromSnapshot(snapshot: SessionSnapshot) {
    this.view = snapshot.presentation ?? null;
  }

  /** Whether we may turn the pages and draw: a moderator, or the participant given control. */
  get canTurn(): boolean {
    const me = this.#me();
    return this.view !== null && (me.moderator || this.view.controller === me.id);
  }

  open = (fileId: string, pages: number) =>
    this.#act(async () => {
      this.view = await this.#conn.request('presentation.open', { fileId, pages });
    });
  page = (page: number) => this.#act(() => this.#conn.request('presentation.page', { page }));
  control = (participantId: string | null) =>
    this.#act(() => this.#conn.request('presentation.control', { participantId }));
  mark = (shape: MarkShape) =>
    this.#act(async () => {
      const page = this.view?.page;
      if (!page) return;
      const mark = await this.#conn.request('presentation.mark', { page, shape });
      const v = this.view;
      if (v && v.page === mark.page && !v.marks.some((m) => m.markId === mark.markId)) {
        this.view = { ...v, marks: [...v.marks, mark] };
      }
    });
  clear = () =>
    this.#act(async () => {
      if (this.view) await this.#conn.request('presentation.clear', { page: this.view.page });
    });
  close = () => this.#act(() => this.#conn.request('presentation.close', {}));

  async #act(work: () => Promise<unknown>) {
    try {
      await work();
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof LiveRequestError ? err.code : 'internal';
    }
  }
}
