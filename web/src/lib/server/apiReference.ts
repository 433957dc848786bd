import type { Locale } from '#lib/i18n';
import type { SchemaNode } from '#lib/ui/apiSchema';
import { API_TAGS, type ApiTag } from './apiDoc';
import type { OpenApiDocument } from './openapi';

type Json = Record<string, unknown>;

/** One operation as the reference page shows it, in the reader's language. */
export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  access: string;
  params: Array<{
    name: string;
    in: 'path' | 'query';
    required: boolean;
    description?: string;
    schema: SchemaNode;
  }>;
  body?: { types: string[]; description?: string; schema: SchemaNode };
  success: { status: string; type: string; enveloped: boolean; schema: SchemaNode };
  errors: Array<{ status: string; codes: string[] }>;
}

/** The reference page's content: the operations grouped by tag, in the tags' order. */
export interface ReferenceModel {
  title: string;
  version: string;
  count: number;
  groups: Array<{ tag: ApiTag; operations: ReferenceOperation[] }>;
}

const CONSTRAINTS = [
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'pattern',
  'default',
] as const;

/** A JSON schema (as zod writes it) made into a tree that reads as a list of fields. */
export function schemaTree(schema: unknown, depth = 0): SchemaNode {
  const s = (schema ?? {}) as Json;
  const description = typeof s.description === 'string' ? s.description : undefined;
  const base = { ...(description ? { description } : {}) };
  if (depth > 12) return { ...base, kind: 'any' };
  if (typeof s.$ref === 'string') return { ...base, kind: 'ref', ref: s.$ref };
  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants)) {
    const nonNull = variants.filter((v) => (v as Json).type !== 'null');
    if (nonNull.length === 1 && nonNull.length < variants.length)
      return { ...schemaTree(nonNull[0], depth + 1), nullable: true, ...base };
    return { ...base, kind: 'oneOf', variants: variants.map((v) => schemaTree(v, depth + 1)) };
  }
  if (Array.isArray(s.allOf))
    return {
      ...base,
      kind: 'oneOf',
      all: true,
      variants: s.allOf.map((v) => schemaTree(v, depth + 1)),
    };
  if ('const' in s) return { ...base, kind: 'value', values: [JSON.stringify(s.const)] };
  if (Array.isArray(s.enum))
    return { ...base, kind: 'value', values: s.enum.map((v) => JSON.stringify(v)) };
  const constraints = CONSTRAINTS.flatMap((k) =>
    k in s ? [`${k}: ${typeof s[k] === 'string' ? s[k] : JSON.stringify(s[k])}`] : [],
  );
  const withConstraints = constraints.length ? { ...base, constraints } : base;
  const type = Array.isArray(s.type) ? s.type.join(' | ') : (s.type as string | undefined);
  if (type === 'object' || s.properties) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    const additional =
      s.additionalProperties && typeof s.additionalProperties === 'object'
        ? schemaTree(s.additionalProperties, depth + 1)
        : undefined;
    return {
      ...withConstraints,
      kind: 'object',
      fields: Object.entries(properties).map(([name, p]) => ({
        name,
        required: required.has(name),
        node: schemaTree(p, depth + 1),
      })),
      ...(additional ? { additional } : {}),
    };
  }
  if (type === 'array') {
    const items = Array.isArray(s.prefixItems)
      ? { kind: 'any' as const }
      : schemaTree(s.items, depth + 1);
    return { ...withConstraints, kind: 'array', items };
  }
  if (!type) return { ...withConstraints, kind: 'any' };
  return { ...withConstraints, kind: 'scalar', type };
}

const models = new WeakMap<object, Map<Locale, ReferenceModel>>();

/** The reference page's model, in `locale`, made once per document's paths and language. */
export function referenceModel(doc: OpenApiDocument, locale: Locale): ReferenceModel {
  const byLocale = models.get(doc.paths) ?? new Map<Locale, ReferenceModel>();
  models.set(doc.paths, byLocale);
  const known = byLocale.get(locale);
  if (known) return known;
  const model = buildModel(doc, locale);
  byLocale.set(locale, model);
  return model;
}

function buildModel(doc: OpenApiDocument, locale: Locale): ReferenceModel {
  const pick = (op: Json, key: string, frKey: string) =>
    String((locale === 'fr' ? op[frKey] : undefined) ?? op[key] ?? '');
  const groups = new Map<ApiTag, ReferenceOperation[]>(API_TAGS.map((t) => [t, []]));
  let count = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops)) {
      const op = raw as Json;
      const responses = op.responses as Record<string, Json>;
      const [status, ok] = Object.entries(responses).find(([s]) => s.startsWith('2'))!;
      const [type, media] = Object.entries(ok.content as Record<string, Json>)[0]!;
      const enveloped =
        type === 'application/json' &&
        !!(media.schema as Json).properties &&
        'ok' in ((media.schema as Json).properties as Json);
      const successSchema = enveloped
        ? ((media.schema as Json).properties as Json).data
        : media.schema;
      const body = op.requestBody as Json | undefined;
      const bodyContent = (body?.content ?? {}) as Record<string, Json>;
      const tag = (op.tags as ApiTag[])[0]!;
      groups.get(tag)?.push({
        id: String(op.operationId),
        method: method.toUpperCase(),
        path,
        summary: pick(op, 'summary', 'x-summary-fr'),
        access:
          locale === 'fr'
            ? String(op['x-access-fr'])
            : String(op.description).replace(/^Access: /, ''),
        params: ((op.parameters ?? []) as Json[]).map((p) => ({
          name: String(p.name),
          in: p.in as 'path' | 'query',
          required: Boolean(p.required),
          ...(p.description ? { description: pick(p, 'description', 'x-description-fr') } : {}),
          schema: schemaTree(p.schema),
        })),
        ...(body
          ? {
              body: {
                types: Object.keys(bodyContent),
                ...(body.description
                  ? { description: pick(body, 'description', 'x-description-fr') }
                  : {}),
                schema: schemaTree(Object.values(bodyContent)[0]?.schema),
              },
            }
          : {}),
        success: { status, type, enveloped, schema: schemaTree(successSchema) },
        errors: Object.entries(responses)
          .filter(([s]) => !s.startsWith('2'))
          .map(([s, r]) => ({ status: s, codes: (r['x-error-codes'] as string[]) ?? [] })),
      });
      count++;
    }
  }
  return {
    title: doc.info.title,
    version: doc.info.version,
    count,
    groups: [...groups]
      .filter(([, ops]) => ops.length > 0)
      .map(([tag, operations]) => ({ tag, operations })),
  };
}
