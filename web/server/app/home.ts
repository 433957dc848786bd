import type { ClassSummary, MySpace, Profile, SessionSummary, SessionUser } from '@preau/protocol';
import { listClasses, listSchools, type Schema } from '@preau/storage';
import type { Kysely } from 'kysely';
import type { ChatService } from './chat';
import type { InvitationsService } from './invitations';
import type { LiveService } from './live';
import type { SpacesService } from './spaces';

type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

/** What a signed-in person's home page shows. */
export interface HomeView {
  /** Their spaces, classes first, each with their role, permissions and state. */
  spaces: MySpace[];
  /** Live sessions and salons open in those spaces. */
  live: SessionSummary[];
  /** Invitations waiting for their answer. */
  invitations: number;
  /** Unread chat messages per space (spaces without any are absent). */
  unread: Record<string, number>;
  profiles: Array<Profile & { schoolName: string }>;
  /** A student or a teacher somewhere (they have classes and may create groups). */
  learns: boolean;
  /** For the school's staff (CPE, head): the classes of their schools. */
  schoolClasses: ClassSummary[];
}

/** The home page of a signed-in person, gathered from the spaces and live services. */
export class HomeService {
  readonly #db: Kysely<Schema>;
  readonly #spaces: SpacesService;
  readonly #live: LiveService;
  readonly #chat: ChatService;
  readonly #invitations: InvitationsService;

  constructor(deps: {
    db: Kysely<Schema>;
    spaces: SpacesService;
    invitations: InvitationsService;
    live: LiveService;
    chat: ChatService;
  }) {
    this.#invitations = deps.invitations;
    this.#db = deps.db;
    this.#spaces = deps.spaces;
    this.#live = deps.live;
    this.#chat = deps.chat;
  }

  /** Everything the home page shows to this person. */
  async view(user: User): Promise<HomeView> {
    const spaces = await this.#spaces.mine(user);
    const [live, invitations, schools, unread] = await Promise.all([
      this.#live.openIn(
        user,
        spaces.map((s) => s.id),
      ),
      this.#invitations.invitations(user),
      listSchools(this.#db),
      this.#chat.unread(
        user,
        spaces.map((s) => s.id),
      ),
    ]);
    const names = new Map(schools.map((s) => [s.uai, s.name]));
    const staffOf = user.profiles.filter((p) => p.kind === 'staff').map((p) => p.uai);
    const schoolClasses =
      staffOf.length > 0
        ? (await listClasses(this.#db)).filter((c) => staffOf.includes(c.uai))
        : [];
    return {
      spaces,
      live,
      invitations: invitations.length,
      unread: Object.fromEntries(Object.entries(unread).filter(([, n]) => n > 0)),
      profiles: user.profiles.map((p) => ({ ...p, schoolName: names.get(p.uai) ?? p.uai })),
      learns: user.profiles.some((p) => p.kind === 'student' || p.kind === 'teacher'),
      schoolClasses,
    };
  }
}
