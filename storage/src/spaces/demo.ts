import { randomUUID } from 'node:crypto';
import type { SpaceRole } from '@preau/protocol';
import type { Kysely, Transaction } from 'kysely';
import { insertChatMessage } from '../classroom/chat';
import type { Schema } from '../db/schema';
import { createDoc } from '../docs/documents';
import { SampleDoc } from '../docs/sampleDoc';
import { DEMO_SCHOOLS, demoDirectory } from '../identity/demo';
import { classIdOf, displayName } from '../identity/directory';
import { applyDirectory } from '../identity/records';
import { recordTrace } from '../trace/recordTrace';
import { closeInvitation, insertInvitation } from './invitations';
import { addSpaceClass, insertSpace, putMember } from './spaces';

// Spaces of the demo, so that a newcomer sees work groups and a project at
// once: a student work group in each school, and a project between the two
// schools with a cross-school work group inside it. Every act is recorded
// through the same repositories and with the same traces (kinds, subjects,
// payloads) as SpacesService records them when people do it.

/** The demo's spaces (fixed ids, so seeding twice changes nothing). */
export const DEMO_SPACES = {
  collegeGroup: { id: 'group_demo_loire', name: 'Exposé sur la Loire' },
  lyceeGroup: { id: 'group_demo_bac_francais', name: 'Révisions du bac de français' },
  project: { id: 'project_demo_rennes_brest', name: 'Correspondance Rennes – Brest' },
  projectGroup: { id: 'group_demo_carnet', name: 'Carnet de voyage Loire – Iroise' },
} as const;

/** Logins of accounts added to the demo after its first release (seeded into older data too). */
const LATER_ACCOUNTS = ['cpe.riou'];

type Tx = Transaction<Schema>;

/** What each school's work group said in its chat. */
const CHATS = [
  [
    'On se répartit les parties ? Je prends l’introduction.',
    'Je fais les châteaux, j’ai trouvé de belles photos.',
    'Super, on relit tout ensemble vendredi dans le salon.',
  ],
  [
    'J’ai commencé les fiches sur Baudelaire dans le pad.',
    'Merci ! Je m’occupe de la méthode du commentaire.',
    'On s’entraîne à l’oral mardi soir ?',
  ],
] as const;

async function idsOf(tx: Tx, logins: readonly string[]): Promise<Map<string, string>> {
  const rows = await tx
    .selectFrom('person')
    .select(['id', 'login'])
    .where('login', 'in', [...logins])
    .execute();
  return new Map(rows.map((r) => [r.login, r.id]));
}

/** The first students of a class by name, the named one aside. */
async function classmates(tx: Tx, classId: string, except: string, count: number) {
  const rows = await tx
    .selectFrom('class_member')
    .innerJoin('person', 'person.id', 'class_member.person_id')
    .select('person.id')
    .where('class_member.class_id', '=', classId)
    .where('class_member.role', '=', 'student')
    .where('person.id', '!=', except)
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .orderBy('person.id')
    .limit(count)
    .execute();
  return rows.map((r) => r.id);
}

function traceMember(tx: Tx, actor: string, spaceId: string, person: string, role: SpaceRole) {
  return recordTrace(tx, {
    actor,
    kind: 'membership.changed',
    space: spaceId,
    subject: person,
    payload: { change: 'added', role, person, source: 'space' },
  });
}

/** A space made by `owner`, with its creation and the owner's membership traced. */
async function createSpace(
  tx: Tx,
  input: {
    id: string;
    kind: 'group' | 'project';
    name: string;
    uai: string | null;
    projectId?: string;
    owner: string;
  },
) {
  const projectId = input.projectId ?? null;
  await insertSpace(tx, { ...input, projectId, createdBy: input.owner });
  await recordTrace(tx, {
    actor: input.owner,
    kind: 'space.created',
    space: input.id,
    subject: input.id,
    payload: { kind: input.kind, name: input.name, uai: input.uai, projectId },
  });
  await putMember(tx, { spaceId: input.id, personId: input.owner, role: 'owner', by: input.owner });
  await traceMember(tx, input.owner, input.id, input.owner, 'owner');
}

/** `inviter` invites `person`, who accepts and joins with `role`. */
async function inviteAccepted(
  tx: Tx,
  spaceId: string,
  inviter: string,
  person: string,
  role: SpaceRole,
) {
  const invitation = await insertInvitation(tx, { spaceId, personId: person, invitedBy: inviter });
  if (!invitation) return;
  await recordTrace(tx, {
    actor: inviter,
    kind: 'invitation.sent',
    space: spaceId,
    subject: person,
    payload: { invitation, person },
  });
  await closeInvitation(tx, invitation, 'accepted');
  await recordTrace(tx, {
    actor: person,
    kind: 'invitation.answered',
    space: spaceId,
    subject: person,
    payload: { invitation, accepted: true },
  });
  await putMember(tx, { spaceId, personId: person, role, by: inviter });
  await traceMember(tx, person, spaceId, person, role);
}

/** A teacher brings a whole class into a project. */
async function bringClass(tx: Tx, spaceId: string, teacher: string, classId: string) {
  if (!(await addSpaceClass(tx, { spaceId, classId, by: teacher }))) return;
  await recordTrace(tx, {
    actor: teacher,
    kind: 'membership.changed',
    space: spaceId,
    subject: classId,
    payload: { change: 'added', class: classId },
  });
}

/** A pad created in a space, then typed in by each author in turn (one paragraph each). */
async function padWith(
  tx: Tx,
  space: string,
  title: string,
  paragraphs: ReadonlyArray<readonly [author: string, text: string]>,
) {
  const doc = await createDoc(tx, { space, kind: 'pad', title, actor: paragraphs[0]![0] });
  const pad = new SampleDoc(tx, doc.id);
  for (const [author, text] of paragraphs) await pad.type(author, text);
}

/** A few chat messages in a space, as people wrote them an hour apart, the last one an hour ago. */
async function chatWith(
  tx: Tx,
  space: string,
  messages: ReadonlyArray<readonly [author: string, text: string]>,
) {
  const names = new Map(
    (
      await tx
        .selectFrom('person')
        .select(['id', 'given_name', 'family_name'])
        .where(
          'id',
          'in',
          messages.map(([a]) => a),
        )
        .execute()
    ).map((p) => [p.id, displayName(p)]),
  );
  const start = Date.now() - messages.length * 3_600_000;
  for (const [k, [author, text]] of messages.entries()) {
    const sentAt = new Date(start + k * 3_600_000);
    const id = `m_demo_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await insertChatMessage(tx, {
      id,
      spaceId: space,
      sessionId: null,
      authorId: author,
      authorName: names.get(author) ?? author,
      text,
      sentAt,
      mentions: [],
    });
    // The same record as the space chat writes (classroom-server/src/spaceChat/SpaceChat.ts).
    await recordTrace(tx, {
      actor: author,
      kind: 'chat.message',
      space,
      subject: id,
      at: sentAt,
      payload: { text, mentions: [] },
    });
  }
}

/** Adds the demo accounts that came later to a directory seeded before them. */
async function addLaterAccounts(tx: Tx): Promise<void> {
  const present = await idsOf(tx, LATER_ACCOUNTS);
  const missing = LATER_ACCOUNTS.filter((l) => !present.has(l));
  if (missing.length === 0) return;
  const { records } = demoDirectory();
  await applyDirectory(
    tx,
    {
      schools: [],
      classes: [],
      persons: records.persons.filter((p) => missing.includes(p.login)),
      profiles: records.profiles.filter((p) => missing.includes(p.login)),
      roles: records.roles.filter((r) => missing.includes(r.login)),
    },
    'system',
  );
}

/**
 * Seeds the demo's work groups and project into the demo directory: does
 * nothing (and returns false) when they exist already, or when the
 * directory is not the demo's (its people are absent).
 */
export async function seedDemoSpaces(db: Kysely<Schema>): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const people = await idsOf(tx, [
      'eleve.lea.bernard',
      'eleve.lucas.garcia',
      'prof.martin',
      'prof.robert',
    ]);
    const lea = people.get('eleve.lea.bernard');
    const lucas = people.get('eleve.lucas.garcia');
    const martin = people.get('prof.martin');
    const robert = people.get('prof.robert');
    if (!lea || !lucas || !martin || !robert) return false;
    await addLaterAccounts(tx);
    const seeded = await tx
      .selectFrom('space')
      .select('id')
      .where('id', '=', DEMO_SPACES.collegeGroup.id)
      .executeTakeFirst();
    if (seeded) return false;
    const { college, lycee } = DEMO_SCHOOLS;
    const troisiemeA = classIdOf(college.uai, '3e A');
    const premiereG2 = classIdOf(lycee.uai, '1re G2');

    // A work group in each school, of three classmates (Léa and Lucas, whose
    // own activity many tests read, meet in the project's group below).
    const groups = [
      { ...DEMO_SPACES.collegeGroup, uai: college.uai, classId: troisiemeA, except: lea },
      { ...DEMO_SPACES.lyceeGroup, uai: lycee.uai, classId: premiereG2, except: lucas },
    ];
    const pads = [
      [
        'Plan de l’exposé',
        'Introduction : la Loire, plus long fleuve de France (1 006 km).',
        'Partie 1 : du mont Gerbier-de-Jonc jusqu’à l’estuaire de Saint-Nazaire.',
        'Partie 2 : les châteaux de la Loire, patrimoine mondial de l’Unesco.',
      ],
      [
        'Fiches de révision',
        'Objet d’étude : la poésie du XIXe au XXIe siècle.',
        'Baudelaire, Les Fleurs du mal : « Spleen et idéal ».',
        'Méthode du commentaire : une problématique, deux axes, une conclusion.',
      ],
    ] as const;
    for (const [i, group] of groups.entries()) {
      const [owner, ...members] = await classmates(tx, group.classId, group.except, 3);
      if (!owner) continue;
      await createSpace(tx, { ...group, kind: 'group', owner });
      for (const id of members) await inviteAccepted(tx, group.id, owner, id, 'member');
      const [title, ...lines] = pads[i]!;
      const authors = [owner, ...members];
      await padWith(
        tx,
        group.id,
        title,
        lines.map((text, k) => [authors[k % authors.length]!, text] as const),
      );
      const [first, second] = [owner, members[0] ?? owner];
      await chatWith(tx, group.id, [
        [first, CHATS[i]![0]],
        [second, CHATS[i]![1]],
        [first, CHATS[i]![2]],
      ]);
    }

    // A project between the two schools, each teacher bringing a class.
    const project = DEMO_SPACES.project;
    await createSpace(tx, { ...project, kind: 'project', uai: null, owner: martin });
    await inviteAccepted(tx, project.id, martin, robert, 'teacher');
    await bringClass(tx, project.id, martin, troisiemeA);
    await bringClass(tx, project.id, robert, premiereG2);
    await chatWith(tx, project.id, [
      [martin, 'Bonjour à tous ! Premier salon commun jeudi à 14 h.'],
      [robert, 'Parfait, ma 1re G2 sera prête. Je partage le programme dans les documents.'],
    ]);
    await padWith(tx, project.id, 'Programme des échanges', [
      [martin, 'Octobre : présentations croisées des deux classes en salon.'],
      [robert, 'Novembre : carnets de voyage à quatre mains, un élève de chaque école.'],
    ]);

    // Inside it, a work group across the two schools.
    const carnet = DEMO_SPACES.projectGroup;
    await createSpace(tx, {
      ...carnet,
      kind: 'group',
      uai: college.uai,
      projectId: project.id,
      owner: lea,
    });
    await inviteAccepted(tx, carnet.id, lea, lucas, 'member');
    await padWith(tx, carnet.id, 'Notre carnet', [
      [lucas, 'À Brest, la rade et le pont de Recouvrance ouvrent sur la mer d’Iroise.'],
      [lucas, 'À Rennes, Léa racontera la Vilaine, qui rejoint l’Atlantique à Arzal.'],
    ]);
    return true;
  });
}
