import {
  DOC_REWRITE_CHANNEL,
  type DocRewriteNotice,
  type ErasureReport,
  PERSON_ERASED_CHANNEL,
  type PersonErasedNotice,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  Archiver,
  directoryNames,
  erasePerson,
  erasureReports,
  type Fanout,
  loadArchiveSigner,
  type ObjectStore,
  personalData,
  type Schema,
  type SegmentMax,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import { RENDERERS } from './archive';
import { type Caller, requireSignedIn } from './roles';

/** What the privacy service works with. */
export interface PrivacyDeps {
  db: Kysely<Schema>;
  objects: ObjectStore;
  fanout: Fanout;
  log: Logger;
  /** Records per segment when a request first archives what is left (the background archiver's). */
  segmentMax?: SegmentMax;
}

/**
 * People's rights over their own data: the self-export (right of access)
 * and erasure outside legal holds, each audited; any signed-in person, for
 * themselves only.
 */
export class PrivacyService {
  readonly #deps: PrivacyDeps;

  constructor(deps: PrivacyDeps) {
    this.#deps = deps;
  }

  /** Archives what is still in the outbox (leases keep it apart from the background archiver). */
  async #drain() {
    const { db, objects, log, segmentMax } = this.#deps;
    return new Archiver({
      db,
      objects,
      signer: await loadArchiveSigner(db),
      log: log.child({ module: 'archive-request' }),
      ...(segmentMax ? { segmentMax } : {}),
    }).drain();
  }

  /** The signed-in person's own data as a zip (audited). */
  ownData(user: Caller): Promise<{ bytes: Uint8Array; records: number }> {
    const person = requireSignedIn(user).id;
    const { db, objects } = this.#deps;
    return personalData(
      { db, objects, names: directoryNames(db), renderers: RENDERERS, drain: () => this.#drain() },
      person,
    );
  }

  /** The signed-in person's erasure reports. */
  erasureReports(user: Caller): Promise<ErasureReport[]> {
    return erasureReports(this.#deps.db, requireSignedIn(user).id);
  }

  /** Erases the signed-in person outside legal holds (audited); the report says what was kept. */
  async erase(user: Caller): Promise<ErasureReport> {
    const person = requireSignedIn(user).id;
    const { db, objects, log, fanout } = this.#deps;
    const report = await erasePerson(
      {
        db,
        objects,
        signer: await loadArchiveSigner(db),
        log: log.child({ module: 'erasure' }),
        drain: () => this.#drain(),
        // The stored history is already rewritten; a copy open in any docs server
        // (this process or another node) takes the deletion and its clients drop the text.
        onDocRewritten: async ({ docId, deletion, seq }) => {
          if (seq === undefined) return;
          const notice: DocRewriteNotice = {
            docId,
            seq,
            deletion: Buffer.from(deletion).toString('base64'),
          };
          await fanout.publish(DOC_REWRITE_CHANNEL, JSON.stringify(notice));
        },
      },
      person,
    );
    // Live classes running now drop the person's chat from memory and screens.
    const erased: PersonErasedNotice = { person };
    await fanout.publish(PERSON_ERASED_CHANNEL, JSON.stringify(erased));
    return report;
  }
}
