import {
  AddClassRequest,
  AnswerInvitationRequest,
  CreateGuestRequest,
  CreateSpaceRequest,
  ErrorBody,
  GuestCreated,
  ImportReport,
  ImportRequest,
  Invitation,
  Invitee,
  InviteeQuery,
  InviteRequest,
  MemberRoleRequest,
  MyClass,
  MySpace,
  Notification,
  PersonsPage,
  PersonsQuery,
  ReportRequest,
  ReportView,
  SchoolSettings,
  SchoolWithClasses,
  SessionUser,
  SpaceClassView,
  SpaceFileView,
  SpaceMember,
  SpaceMemberView,
  SpaceStateRequest,
  TokenRequest,
  TokenResponse,
  UnreadCounts,
  UploadFileQuery,
} from '@preau/protocol';
import { z } from 'zod';

/** One operation of the HTTP API, described by the same zod schemas that validate it. */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, e.g. `/api/classes/{classId}/members`. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The `data` of a `{ ok: true, data }` answer. */
  response: z.ZodType;
  /** Who may call it, in words (every operation needs a signed-in session unless said). */
  access?: string;
}

/**
 * Every documented operation. Each feature appends its own operations here
 * (with its schemas from @preau/protocol), so /api/openapi.json stays whole.
 */
export const API_OPERATIONS: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/session',
    summary: 'The signed-in user: pseudonymous id, name, profiles, platform roles',
    tag: 'identity',
    response: SessionUser,
  },
  {
    method: 'post',
    path: '/api/tokens',
    summary: 'A short-lived capability token (EdDSA JWT) for one space; rights from the directory',
    tag: 'identity',
    body: TokenRequest,
    response: TokenResponse,
    access: 'members of the space (403 otherwise)',
  },
  {
    method: 'get',
    path: '/api/classes',
    summary: 'The classes of the signed-in user, with their role',
    tag: 'directory',
    response: z.array(MyClass),
  },
  {
    method: 'get',
    path: '/api/classes/{classId}/members',
    summary: 'Teachers and students of a class, names resolved now',
    tag: 'directory',
    response: z.array(SpaceMember),
    access: 'members of the class, its school’s staff, directory admins',
  },
  {
    method: 'get',
    path: '/api/spaces',
    summary:
      'The spaces of the signed-in user (classes, teaching groups, projects, work groups), with their role, permissions and state',
    tag: 'spaces',
    response: z.array(MySpace),
  },
  {
    method: 'post',
    path: '/api/spaces',
    summary:
      'Creates a work group (students and teachers, within their school’s bounds), a project or a teaching group (teachers); answers 201 with the new space',
    tag: 'spaces',
    body: CreateSpaceRequest,
    response: MySpace,
    access: 'students and teachers (403 otherwise, or when the school forbids students’ groups)',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}',
    summary: 'One space as the signed-in user sees it: kind, school, state, role, permissions',
    tag: 'spaces',
    response: MySpace,
    access:
      'members, the school’s staff, a project’s teachers for its groups (404 for a group or project one may not see, 403 for a class)',
  },
  {
    method: 'get',
    path: '/api/admin/directory/schools',
    summary: 'Every school with its classes',
    tag: 'directory admin',
    response: z.array(SchoolWithClasses),
    access: 'directory admins (403 otherwise)',
  },
  {
    method: 'get',
    path: '/api/admin/directory/persons',
    summary: 'People of the directory, searched and paged',
    tag: 'directory admin',
    query: PersonsQuery,
    response: PersonsPage,
    access: 'directory admins (403 otherwise)',
  },
  {
    method: 'post',
    path: '/api/admin/directory/import',
    summary:
      'Imports a directory CSV file: validated whole, applied only if every line is good (see the README)',
    tag: 'directory admin',
    body: ImportRequest,
    response: ImportReport,
    access: 'directory admins (403 otherwise)',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/chat/unread',
    summary: 'Messages of the space’s chat written by others since the person last read it',
    tag: 'spaces',
    response: UnreadCounts,
    access: 'those who may read the space (404 for a group or project one may not see)',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/files',
    summary: 'Files shared in the space, newest first',
    tag: 'spaces',
    response: z.array(SpaceFileView),
    access: 'those who may read the space',
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/files',
    summary:
      'Uploads a file: the raw request body, its type in content-type (sniffed again from the bytes), its name in ?name=; 10 MiB at most (413)',
    tag: 'spaces',
    query: UploadFileQuery,
    response: SpaceFileView,
    access: 'those who may write in the space',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/files/{fileId}',
    summary:
      'Downloads a file (content-disposition: attachment); ?inline=1 shows an image or a PDF, sandboxed (the body is the file, not JSON)',
    tag: 'spaces',
    query: z.object({ inline: z.literal('1').optional() }),
    response: z.string().describe('the file’s bytes'),
    access: 'those who may read the space',
  },
  {
    method: 'delete',
    path: '/api/spaces/{spaceId}/files/{fileId}',
    summary: 'Deletes a file (its bytes stay for the archive until erasure or retention)',
    tag: 'spaces',
    response: z.object({}),
    access: 'its uploader while they may write, or those who manage or moderate the space',
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/reports',
    summary: 'Reports a message, a document or a file to the staff of the space’s school(s)',
    tag: 'spaces',
    body: ReportRequest,
    response: z.object({ id: z.string() }),
    access: 'members who may report in the space',
  },
  {
    method: 'get',
    path: '/api/schools/{uai}/reports',
    summary: 'Reports received by the school’s staff, with the reported content, newest first',
    tag: 'spaces',
    response: z.array(ReportView),
    access: 'the school’s staff (CPE, head) and admins',
  },
  {
    method: 'post',
    path: '/api/schools/{uai}/reports/{reportId}/handled',
    summary: 'Marks a report handled',
    tag: 'spaces',
    response: z.object({}),
    access: 'the school’s staff (CPE, head) and admins',
  },
];

const SPACE_SEEN =
  'members of the space, its school’s staff; 404 for a group or project one may not see';
const SPACE_INVITE =
  'those who may invite (a group’s owners, a project’s teachers); 404 for outsiders';

/** Work groups and projects: members, invitations, state, classes, guests, school bounds. */
const GROUP_OPERATIONS: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/members',
    summary: 'Members of a space with name, role and (in a project) school',
    tag: 'spaces',
    response: z.array(SpaceMemberView),
    access: SPACE_SEEN,
  },
  {
    method: 'patch',
    path: '/api/spaces/{spaceId}/members/{personId}',
    summary: 'Makes a work group member co-owner or member; `owner` hands over ownership',
    tag: 'spaces',
    body: MemberRoleRequest,
    response: z.object({ personId: z.string(), role: MemberRoleRequest.shape.role }),
    access: 'managers of the work group (the owner to hand over ownership)',
  },
  {
    method: 'delete',
    path: '/api/spaces/{spaceId}/members/{personId}',
    summary: 'Removes a member; one’s own id leaves (the owner hands over first unless alone)',
    tag: 'spaces',
    response: z.object({ personId: z.string() }),
    access: 'managers of the space, or the member themself',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/invitations',
    summary: 'Pending invitations into a space',
    tag: 'spaces',
    response: z.array(Invitation),
    access: SPACE_INVITE,
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/invitations',
    summary: 'Invites people (each is notified at once); bounds refused with their name in issues',
    tag: 'spaces',
    body: InviteRequest,
    response: z.array(Invitation),
    access: SPACE_INVITE,
  },
  {
    method: 'delete',
    path: '/api/spaces/{spaceId}/invitations/{invitationId}',
    summary: 'Withdraws a pending invitation',
    tag: 'spaces',
    response: z.object({ invitationId: z.string() }),
    access: 'who invited, or a manager of the space',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/invitees',
    summary: 'People one may invite, matching a name: school and why (class, school, project)',
    tag: 'spaces',
    query: InviteeQuery,
    response: z.array(Invitee),
    access: SPACE_INVITE,
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/state',
    summary: 'Archives, suspends or reactivates a space',
    tag: 'spaces',
    body: SpaceStateRequest,
    response: MySpace,
    access: 'managers archive and reactivate; the school’s staff suspend and lift',
  },
  {
    method: 'get',
    path: '/api/spaces/{spaceId}/classes',
    summary: 'Classes brought into a project or teaching group',
    tag: 'spaces',
    response: z.array(SpaceClassView),
    access: SPACE_SEEN,
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/classes',
    summary: 'Brings a whole class the teacher teaches into a project or teaching group',
    tag: 'spaces',
    body: AddClassRequest,
    response: z.array(SpaceClassView),
    access: 'teachers of the project or teaching group, for a class they teach',
  },
  {
    method: 'post',
    path: '/api/spaces/{spaceId}/guests',
    summary:
      'Creates an outside guest of a project until a date (a year at most); the personal sign-in link is returned once',
    tag: 'spaces',
    body: CreateGuestRequest,
    response: GuestCreated,
    access: 'teachers of the project',
  },
  {
    method: 'get',
    path: '/api/invitations',
    summary: 'The signed-in person’s pending invitations',
    tag: 'spaces',
    response: z.array(Invitation),
  },
  {
    method: 'post',
    path: '/api/invitations/{invitationId}',
    summary: 'Accepts (the space as one now sees it) or declines (null) an invitation',
    tag: 'spaces',
    body: AnswerInvitationRequest,
    response: MySpace.nullable(),
    access: 'the invited person',
  },
  {
    method: 'get',
    path: '/api/schools/{uai}/settings',
    summary: 'A school’s bounds on its students’ work groups',
    tag: 'spaces',
    response: SchoolSettings,
    access: 'the school’s staff, admins',
  },
  {
    method: 'put',
    path: '/api/schools/{uai}/settings',
    summary: 'Sets a school’s bounds on its students’ work groups',
    tag: 'spaces',
    body: SchoolSettings,
    response: SchoolSettings,
    access: 'the school’s staff, admins',
  },
  {
    method: 'get',
    path: '/api/me/notifications',
    summary:
      'The signed-in person’s notifications as Server-Sent Events (text/event-stream): one JSON Notification per event, a comment every 25 s',
    tag: 'spaces',
    response: Notification,
  },
];
API_OPERATIONS.push(...GROUP_OPERATIONS);

const ERRORS: Record<string, string> = {
  '400': 'bad_request: the input does not match the schema (issues name each bad path)',
  '401': 'unauthenticated: no session',
  '403': 'forbidden: not allowed, or missing CSRF token / foreign origin',
  '404': 'not_found',
};

/** Builds the OpenAPI 3.1 document from the operations' zod schemas. */
export function openApiDocument(serverUrl: string) {
  const schema = (s: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  const envelope = (data: z.ZodType) => schema(z.object({ ok: z.literal(true), data }), 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) {
    const parameters = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, s]) => ({
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: schema(s as z.ZodType, 'input'),
      })),
    ];
    const unsafe = op.method !== 'get';
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.access ? { description: `Access: ${op.access}.` } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(op.body, 'input') } },
            },
          }
        : {}),
      security: unsafe ? [{ session: [], csrf: [] }] : [{ session: [] }],
      responses: {
        '200': {
          description: 'ok',
          content: { 'application/json': { schema: envelope(op.response) } },
        },
        ...Object.fromEntries(
          Object.entries(ERRORS).map(([status, description]) => [
            status,
            {
              description,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Préau HTTP API',
      version: '1',
      description:
        'JSON in, `{ ok: true, data }` or `{ ok: false, error }` out. State-changing calls need the session cookie and the `x-preau-csrf` header (the `preau_csrf` cookie’s value).',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: {
        Error: schema(z.object({ ok: z.literal(false), error: ErrorBody }), 'output'),
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'preau_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-preau-csrf' },
      },
    },
  };
}
