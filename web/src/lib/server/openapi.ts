import { ERROR_CODES, ErrorBody, type ErrorCode } from '@preau/protocol';
import { z } from 'zod';
import { STATUS } from './api';
import {
  ACCESS,
  API_METHODS,
  API_TAGS,
  type ApiMethod,
  type ApiOperationDoc,
  type ApiRouteDoc,
  type Bilingual,
} from './apiDoc';

// Every `/api` route describes itself (`export const _api = describeRoute(…)`
// in its +server.ts, with the zod schemas its handler parses with); the
// document is built from those descriptions, so a route is in it the day it
// is written. Loaded lazily: the route modules import this one's neighbours.
const ROUTES = import.meta.glob<ApiRouteDoc | undefined>('../../routes/api/**/+server.ts', {
  eager: true,
  import: '_api',
});

/** `../../routes/api/spaces/[spaceId]/+server.ts` → `/api/spaces/{spaceId}`. */
export function openApiPath(file: string): string {
  const dir = file.replace(/^.*\/routes/, '').replace(/\/\+server\.ts$/, '');
  return dir
    .split('/')
    .filter((part) => !/^\(.*\)$/.test(part))
    .map((part) => part.replace(/^\[(?:\.\.\.)?(\w+)\]$/, '{$1}'))
    .join('/');
}

/** One described operation, with its path and method. */
export interface DescribedOperation extends ApiOperationDoc {
  path: string;
  method: ApiMethod;
}

/** Every described operation, by path then method. */
export function describedOperations(): DescribedOperation[] {
  return Object.entries(ROUTES)
    .flatMap(([file, doc]) =>
      API_METHODS.flatMap((method) => {
        const op = doc?.[method];
        return op ? [{ ...op, path: openApiPath(file), method }] : [];
      }),
    )
    .sort(
      (a, b) =>
        a.path.localeCompare(b.path) ||
        API_METHODS.indexOf(a.method) - API_METHODS.indexOf(b.method),
    );
}

const ERROR_WORDS: Record<ErrorCode, string> = {
  bad_request: 'the input does not match the schema (issues name each bad path)',
  unauthenticated: 'no session',
  forbidden: 'not allowed',
  not_found: 'no such thing, or not one the caller may see',
  conflict: 'the state forbids it now',
  too_large: 'the body is over its limit, refused before it is read',
  rate_limited: 'too many requests',
  session_locked: 'the live session is locked',
  session_ended: 'the live session has ended',
  chat_muted: 'the teacher muted this participant’s chat',
  chat_closed: 'the teacher closed the chat to students',
  waiting_room: 'waiting to be admitted by the teacher',
  protocol_mismatch: 'client and server speak different versions',
  unavailable: 'a service Préau needs is down',
  busy: 'the node is at capacity: try again after retryAfterSeconds',
  internal: 'an unexpected failure, logged',
};

/** The error codes an operation may answer: its own and those every call may meet. */
export function errorCodes(op: ApiOperationDoc, method: ApiMethod): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors ?? []);
  if (op.access !== 'public') codes.add('unauthenticated');
  // State-changing calls need the CSRF header and a same-origin request.
  if (method !== 'GET') codes.add('forbidden');
  if (op.query || op.body || op.upload) codes.add('bad_request');
  if (op.body || op.upload) codes.add('too_large');
  return ERROR_CODES.filter((c) => codes.has(c));
}

/** A zod schema as JSON Schema 2020-12 (the dialect OpenAPI 3.1 uses, so no `$schema` in each). */
function schemaOf(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return schema;
}

const accessOf = (op: ApiOperationDoc): Bilingual =>
  typeof op.access === 'string' ? ACCESS[op.access] : op.access;

function operationObject(op: DescribedOperation) {
  const access = accessOf(op);
  const parameters = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      ...(op.params?.[m[1]!]
        ? { description: op.params[m[1]!]!.en, 'x-description-fr': op.params[m[1]!]!.fr }
        : {}),
    })),
    ...Object.entries(op.query?.shape ?? {}).map(([name, s]) => {
      const schema = schemaOf(s as z.ZodType, 'input');
      return {
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema,
        ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      };
    }),
  ];
  const requestBody = op.body
    ? { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } }
    : op.upload
      ? {
          required: true,
          description: op.upload.what.en,
          'x-description-fr': op.upload.what.fr,
          content: Object.fromEntries(
            op.upload.types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
          ),
        }
      : undefined;
  const success = op.raw
    ? { [op.raw]: { schema: schemaOf(op.response, 'output') } }
    : {
        'application/json': {
          schema: schemaOf(z.object({ ok: z.literal(true), data: op.response }), 'output'),
        },
      };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(op, op.method))
    byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code]);
  return {
    operationId: `${op.method.toLowerCase()}${op.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary: op.summary.en,
    'x-summary-fr': op.summary.fr,
    description: `Access: ${access.en}`,
    'x-access-fr': access.fr,
    tags: [op.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    security:
      op.access === 'public'
        ? []
        : op.method === 'GET'
          ? [{ session: [] }]
          : [{ session: [], csrf: [] }],
    responses: {
      [String(op.status ?? 200)]: { description: 'ok', content: success },
      ...Object.fromEntries(
        [...byStatus].map(([status, codes]) => [
          String(status),
          {
            description: codes.map((c) => `${c}: ${ERROR_WORDS[c]}`).join('; '),
            'x-error-codes': codes,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

const TAG_WORDS: Record<(typeof API_TAGS)[number], string> = {
  identity: 'The signed-in person, their classes and capability tokens',
  spaces: 'Classes, teaching groups, work groups and projects',
  membership: 'Members, invitations, classes and guests of a space',
  content: 'A space’s files, chat and reports',
  documents: 'Pads and boards, their images and history',
  live: 'Live lessons and salons',
  school: 'What a school’s staff see and set',
  directory: 'The directory, for its admins',
  archive: 'The signed archive: search, cases, holds, exports, audit, retention',
  privacy: 'One’s own data and its erasure',
  reference: 'This document',
};

let built: Record<string, Record<string, unknown>> | undefined;

/** The document's paths, built once: the routes' descriptions do not change while Préau runs. */
function documentPaths() {
  if (built) return built;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of describedOperations()) {
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = operationObject(op);
  }
  built = paths;
  return paths;
}

/** Builds the OpenAPI 3.1 document from every route's description. */
export function openApiDocument(serverUrl: string) {
  const paths = documentPaths();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Préau HTTP API',
      version: '1',
      description:
        'JSON in, `{ ok: true, data }` or `{ ok: false, error }` out. State-changing calls need the session cookie and the `x-preau-csrf` header (the `preau_csrf` cookie’s value). Generated from the zod schemas each route validates with.',
    },
    servers: [{ url: serverUrl }],
    tags: API_TAGS.map((name) => ({ name, description: TAG_WORDS[name] })),
    paths,
    components: {
      schemas: {
        Error: schemaOf(z.object({ ok: z.literal(false), error: ErrorBody }), 'output'),
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'preau_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-preau-csrf' },
      },
    },
  };
}

/** The OpenAPI document's type, for the reference page. */
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
