import {
  appendParagraph,
  applyUpdate,
  boardElementsArray,
  captureUpdate,
  catchUp,
  type Doc,
  emptyDoc,
  pushBoardElement,
} from '@preau/protocol/docs-model';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';

/**
 * Records activity in a space exactly as the live class and the documents
 * record it (same kinds, subjects, payloads and Yjs bodies): a pad typed in,
 * a board drawn on, a live session with chat and a moderation act. For tests
 * and benchmarks of the archive.
 */
export class SampleActivity {
  readonly pad = emptyDoc();
  readonly board = emptyDoc();
  #clock: number;

  constructor(
    /** Where the acts are recorded; swap in a transaction to record many at once. */
    public db: Kysely<Schema> | Transaction<Schema>,
    readonly space: string,
    start: Date,
  ) {
    this.#clock = start.getTime();
  }

  /** Runs `acts` with every act recorded in one transaction. */
  async batch(root: Kysely<Schema>, acts: () => Promise<void>): Promise<void> {
    const before = this.db;
    try {
      await root.transaction().execute(async (tx) => {
        this.db = tx;
        await acts();
      });
    } finally {
      this.db = before;
    }
  }

  /** The time of the next act: one second after the last. */
  tick(): Date {
    this.#clock += 1000;
    return new Date(this.#clock);
  }

  /** The time of the last act. */
  get now(): Date {
    return new Date(this.#clock);
  }

  async createDocs(actor: string, padId = 'pad_1', boardId = 'board_1') {
    await recordTrace(this.db, {
      actor,
      kind: 'doc.created',
      space: this.space,
      subject: padId,
      at: this.tick(),
      payload: { kind: 'pad', title: 'Exposé sur le Moyen Âge' },
    });
    await recordTrace(this.db, {
      actor,
      kind: 'doc.created',
      space: this.space,
      subject: boardId,
      at: this.tick(),
      payload: { kind: 'board', title: 'Carte mentale' },
    });
  }

  /** Each person edits from their own replica (their own Yjs client id), as in a browser. */
  #replicas = new Map<string, Doc>();

  #replica(shared: Doc, actor: string, name: string): Doc {
    const key = `${name}:${actor}`;
    let doc = this.#replicas.get(key);
    if (!doc) {
      doc = emptyDoc();
      this.#replicas.set(key, doc);
    }
    catchUp(doc, shared);
    return doc;
  }

  /** Appends a paragraph to the pad as `actor`, recorded as one doc.update. */
  async type(actor: string, text: string, padId = 'pad_1') {
    const mine = this.#replica(this.pad, actor, 'pad');
    const update = captureUpdate(mine, (doc) => appendParagraph(doc, text));
    applyUpdate(this.pad, update);
    return this.#docUpdate(actor, padId, update);
  }

  /** Draws a labelled text on the board as `actor`. */
  async draw(actor: string, label: string, boardId = 'board_1') {
    const mine = this.#replica(this.board, actor, 'board');
    const n = boardElementsArray(mine).length;
    const update = captureUpdate(mine, (doc) => {
      const el = {
        id: `el${n}`,
        type: 'text',
        x: 20 + n * 10,
        y: 20 + n * 30,
        width: 200,
        height: 24,
        text: label,
        fontSize: 20,
        strokeColor: '#1e1e1e',
      };
      pushBoardElement(doc, `a${n}`, el);
    });
    applyUpdate(this.board, update);
    return this.#docUpdate(actor, boardId, update);
  }

  async #docUpdate(actor: string, docId: string, body: Uint8Array) {
    return recordTrace(this.db, {
      actor,
      kind: 'doc.update',
      space: this.space,
      subject: docId,
      at: this.tick(),
      payload: { bytes: body.byteLength },
      body: body as Uint8Array<ArrayBuffer>,
    });
  }

  async join(actor: string, session = 'sess_1', moderator = false) {
    return recordTrace(this.db, {
      actor,
      kind: 'session.joined',
      space: this.space,
      subject: session,
      at: this.tick(),
      payload: { moderator },
    });
  }

  async say(actor: string, text: string, messageId: string, session = 'sess_1') {
    return recordTrace(this.db, {
      actor,
      kind: 'chat.message',
      space: this.space,
      subject: messageId,
      at: this.tick(),
      payload: { session, text },
    });
  }

  async moderate(actor: string, action: string, target: string, session = 'sess_1') {
    return recordTrace(this.db, {
      actor,
      kind: 'session.moderation',
      space: this.space,
      subject: session,
      at: this.tick(),
      payload: { action, target },
    });
  }

  async leave(actor: string, session = 'sess_1') {
    return recordTrace(this.db, {
      actor,
      kind: 'session.left',
      space: this.space,
      subject: session,
      at: this.tick(),
      payload: { reason: 'left' },
    });
  }
}
