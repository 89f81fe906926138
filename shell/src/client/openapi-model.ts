/**
 * An OpenAPI 3.1 document read for browsing: its operations grouped by tag (the plugin or area
 * that serves them), each with what the page shows, and a search over them. Pure functions, so
 * they are tested without a browser; anything the document leaves out or gets wrong is skipped.
 */

/** The HTTP methods an OpenAPI path item may hold, in the order the page lists them. */
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

type Json = Record<string, unknown>;

/** One parameter as the page lists it. */
export interface ParameterView {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly description: string;
  readonly schema: unknown;
}

/** One operation (a method on a path). */
export interface OperationView {
  readonly method: string;
  readonly path: string;
  readonly tag: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly ParameterView[];
  /** Media type → schema of the request body. */
  readonly requestBody: readonly { type: string; schema: unknown }[];
  readonly responses: readonly {
    status: string;
    description: string;
    schemas: readonly { type: string; schema: unknown }[];
  }[];
}

/** Operations under one tag. */
export interface TagGroup {
  readonly tag: string;
  readonly description: string;
  readonly operations: readonly OperationView[];
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Follows a local `$ref` (`#/components/...`) once; anything else is returned as it is. */
export function resolveRef(doc: Json, value: unknown): unknown {
  if (!isObject(value) || typeof value.$ref !== "string" || !value.$ref.startsWith("#/")) return value;
  let node: unknown = doc;
  for (const raw of value.$ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(node) || !Object.hasOwn(node, key)) return value;
    node = node[key];
  }
  return node;
}

function contentOf(doc: Json, content: unknown): { type: string; schema: unknown }[] {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([type, media]) => ({
    type,
    schema: isObject(media) ? resolveRef(doc, media.schema) : undefined,
  }));
}

function parametersOf(doc: Json, ...lists: unknown[]): ParameterView[] {
  const byKey = new Map<string, ParameterView>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const param = resolveRef(doc, raw);
      if (!isObject(param) || typeof param.name !== "string") continue;
      // an operation's parameter overrides the path's of the same name and place
      byKey.set(`${text(param.in)}:${param.name}`, {
        name: param.name,
        in: text(param.in),
        required: param.required === true,
        description: text(param.description),
        schema: resolveRef(doc, param.schema),
      });
    }
  }
  return [...byKey.values()];
}

function operationOf(doc: Json, path: string, method: string, item: Json, raw: Json): OperationView {
  const body = resolveRef(doc, raw.requestBody);
  const responses = isObject(raw.responses) ? raw.responses : {};
  return {
    method: method.toUpperCase(),
    path,
    tag: Array.isArray(raw.tags) && typeof raw.tags[0] === "string" ? raw.tags[0] : "other",
    operationId: text(raw.operationId),
    summary: text(raw.summary) || text(item.summary),
    description: text(raw.description),
    parameters: parametersOf(doc, item.parameters, raw.parameters),
    requestBody: isObject(body) ? contentOf(doc, body.content) : [],
    responses: Object.entries(responses).map(([status, value]) => {
      const response = resolveRef(doc, value);
      return {
        status,
        description: isObject(response) ? text(response.description) : "",
        schemas: isObject(response) ? contentOf(doc, response.content) : [],
      };
    }),
  };
}

/** The document's operations grouped by their first tag, tags in the document's order, then by name. */
export function groupOperations(doc: unknown): TagGroup[] {
  if (!isObject(doc) || !isObject(doc.paths)) return [];
  const groups = new Map<string, OperationView[]>();
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = resolveRef(doc, rawItem);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const raw = item[method];
      if (!isObject(raw)) continue;
      const operation = operationOf(doc, path, method, item, raw);
      groups.set(operation.tag, [...(groups.get(operation.tag) ?? []), operation]);
    }
  }
  const declared = Array.isArray(doc.tags) ? doc.tags.filter(isObject) : [];
  const order = declared.map((tag) => text(tag.name));
  const rank = (tag: string) => (order.includes(tag) ? order.indexOf(tag) : order.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([tag, operations]) => ({
      tag,
      description: text(declared.find((entry) => entry.name === tag)?.description),
      operations,
    }));
}

/** True when every word of `query` is in the operation's method, path, tag, id, summary or description. */
export function matches(operation: OperationView, query: string): boolean {
  const haystack = [
    operation.method,
    operation.path,
    operation.tag,
    operation.operationId,
    operation.summary,
    operation.description,
  ]
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
