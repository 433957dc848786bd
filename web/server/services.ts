import { join } from 'node:path';
import type { Logger } from '@preau/protocol/server';
import {
  type Database,
  type Fanout,
  type LocalS3,
  MemoryFanout,
  type ObjectStore,
  openDatabase,
  RedisFanout,
  S3ObjectStore,
  seedDemoDirectory,
  seedDemoSpaces,
  segmentMaxFor,
  startArchiver,
  startLocalS3,
} from '@preau/storage';
import { SpaceAccess } from './app/access';
import { ArchiveService } from './app/archive';
import { ChatService } from './app/chat';
import { DirectoryService } from './app/directory';
import { DocumentsService } from './app/documents';
import { FilesService } from './app/files';
import { GuestsService } from './app/guests';
import { HomeService } from './app/home';
import { InvitationsService } from './app/invitations';
import { LiveService } from './app/live';
import { Notifier } from './app/notifier';
import { PollsService } from './app/polls';
import { PresentationsService } from './app/presentations';
import { PrivacyService } from './app/privacy';
import { RecordingsService } from './app/recordings';
import { ReportsService } from './app/reports';
import { SpacesService } from './app/spaces';
import type { ServerConfig } from './config';
import { createIdentity, type Identity } from './identity/identity';
import { createTokenService, type TokenService } from './tokens';

/** Everything a request handler or realtime server may use; one per server, never global. */
export interface Services {
  config: ServerConfig;
  log: Logger;
  database: Database;
  objects: ObjectStore;
  fanout: Fanout;
  tokens: TokenService;
  /** Sign-in (OpenID Connect) and web sessions. */
  identity: Identity;
  /** Who may do what in a space: the one access check of every edge. */
  access: SpaceAccess;
  /** Spaces and their membership: groups, projects, invitations, bounds. */
  spaces: SpacesService;
  /** Invitations into spaces: whom one may invite, inviting, answering, withdrawing. */
  invitations: InvitationsService;
  /** Notifications to people's open pages, across nodes. */
  notifier: Notifier;
  /** The archive: search, records, cases, holds, exports, keys, audit log, retention rules. */
  archive: ArchiveService;
  /** The directory for its admins: import, schools, classes, people. */
  directory: DirectoryService;
  /** People's rights: self-export and erasure. */
  privacy: PrivacyService;
  /** Guests of projects: outside contributors with a personal sign-in link. */
  guests: GuestsService;
  /** Spaces' chats beyond the realtime server: unread counts. */
  chat: ChatService;
  /** Recordings of live sessions: in progress, listed, played. */
  recordings: RecordingsService;
  /** PDFs presented in live sessions: their marks, outside the session. */
  presentations: PresentationsService;
  /** Files shared in spaces. */
  files: FilesService;
  /** Reports to the school's staff. */
  reports: ReportsService;
  /** Pads and boards of every space: list, create, manage, images, history. */
  documents: DocumentsService;
  /** Live sessions and salons of every space: start, join, attendance. */
  live: LiveService;
  /** A signed-in person's home page: their spaces, open sessions, invitations. */
  home: HomeService;
  /** Polls of live sessions: results and their CSV export, for moderators. */
  polls: PollsService;
  /** Which engine serves each concern, for the start banner and health checks. */
  engines: {
    database: 'pglite' | 'postgresql';
    objects: 'local-s3' | 's3';
    fanout: 'memory' | 'redis';
  };
  close(): Promise<void>;
}

/**
 * Opens each backing service: the real engine when its URL is configured,
 * the embedded one otherwise. Nothing here changes with the engine but this.
 */
export async function createServices(config: ServerConfig, log: Logger): Promise<Services> {
  const closers: Array<() => Promise<void>> = [];
  try {
    const database = await openDatabase(
      config.DATABASE_URL
        ? { url: config.DATABASE_URL }
        : { dataDir: join(config.DATA_DIR, 'pglite') },
      log.child({ module: 'db' }),
    );
    closers.push(() => database.close());
    if (config.DEMO_DATA && (await seedDemoDirectory(database.db)))
      log.info('demo directory seeded');
    if (config.DEMO_DATA && (await seedDemoSpaces(database.db)))
      log.info('demo work groups and project seeded');

    let s3 = config.S3_ENDPOINT
      ? {
          endpoint: config.S3_ENDPOINT,
          accessKey: config.S3_ACCESS_KEY!,
          secretKey: config.S3_SECRET_KEY!,
        }
      : undefined;
    let local: LocalS3 | undefined;
    if (!s3) {
      local = await startLocalS3(join(config.DATA_DIR, 's3'));
      closers.push(() => local!.close());
      s3 = local;
    }
    const objects = new S3ObjectStore({
      ...s3,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET,
    });
    await objects.ensureBucket(config.S3_REGION);
    closers.push((await startArchiver({ database, objects, log }, config.archive)).close);

    const fanout: Fanout = config.REDIS_URL
      ? new RedisFanout(config.REDIS_URL)
      : new MemoryFanout();
    closers.push(() => fanout.close());

    const tokens = await createTokenService(config.TOKEN_ISSUER, {
      database,
      log: log.child({ module: 'tokens' }),
      rotateEverySeconds: config.TOKEN_KEY_ROTATION_HOURS * 3600,
    });
    closers.push(async () => tokens.close());

    const access = new SpaceAccess(database.db);
    const notifier = new Notifier(fanout, log.child({ module: 'notify' }));
    closers.push(() => notifier.close());
    const spaces = new SpacesService({
      db: database.db,
      access,
      fanout,
      notify: (n) => notifier.notify(n),
      log: log.child({ module: 'spaces' }),
    });
    const invitations = new InvitationsService({ db: database.db, access, spaces });
    // An export or a person's request archives what is left first, in segments
    // of the background archiver's size (smaller on PGlite: live edits wait less).
    const segmentMax = segmentMaxFor(database, config.archive);
    const archive = new ArchiveService({ db: database.db, objects, log, segmentMax });
    const directory = new DirectoryService({
      db: database.db,
      fanout,
      log: log.child({ module: 'directory' }),
    });
    const privacy = new PrivacyService({ db: database.db, objects, fanout, log, segmentMax });
    const documents = new DocumentsService({
      db: database.db,
      access,
      objects,
      log: log.child({ module: 'documents' }),
    });
    const live = new LiveService({
      db: database.db,
      access,
      spaces,
      fanout,
      log: log.child({ module: 'live' }),
    });

    const identity = createIdentity(config, database, log.child({ module: 'identity' }));
    const guests = new GuestsService({
      db: database.db,
      access,
      openSession: (personId, until) => identity.openSession(personId, until),
      log: log.child({ module: 'guests' }),
    });
    const chat = new ChatService({ db: database.db, access });
    const polls = new PollsService({ db: database.db, access });
    const home = new HomeService({ db: database.db, spaces, invitations, live, chat });
    const files = new FilesService({
      db: database.db,
      access,
      objects,
      log: log.child({ module: 'files' }),
    });
    const recordings = new RecordingsService({ db: database.db, access, objects });
    const presentations = new PresentationsService({ db: database.db, access });
    const reports = new ReportsService({
      db: database.db,
      access,
      notify: (n) => notifier.notify(n),
    });

    return {
      config,
      log,
      access,
      spaces,
      invitations,
      notifier,
      archive,
      directory,
      privacy,
      guests,
      chat,
      files,
      recordings,
      presentations,
      reports,
      documents,
      live,
      home,
      polls,
      database,
      objects,
      fanout,
      tokens,
      identity,
      engines: {
        database: database.engine,
        objects: local ? 'local-s3' : 's3',
        fanout: config.REDIS_URL ? 'redis' : 'memory',
      },
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

async function closeAll(closers: Array<() => Promise<void>>) {
  for (const close of closers.splice(0).reverse()) await close();
}
