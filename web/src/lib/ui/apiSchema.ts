/** A JSON schema as the API reference shows it: a tree of fields, values and variants. */
export type SchemaNode = {
  description?: string;
  constraints?: string[];
  nullable?: boolean;
} & (
  | {
      kind: 'object';
      fields: Array<{ name: string; required: boolean; node: SchemaNode }>;
      additional?: SchemaNode;
    }
  | { kind: 'array'; items: SchemaNode }
  | { kind: 'oneOf'; variants: SchemaNode[]; all?: boolean }
  | { kind: 'value'; values: string[] }
  | { kind: 'scalar'; type: string }
  | { kind: 'ref'; ref: string }
  | { kind: 'any' }
);
