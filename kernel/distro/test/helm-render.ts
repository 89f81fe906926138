/**
 * Renders this package's Helm templates for tests, with no `helm` binary: the subset of Go
 * templates and Sprig functions they use (`{{ .Values.a.b }}`, `.Release.*`, `.Chart.*`,
 * `.Files.Get`, `$variables :=` (scoped to their `if` as in Go), pipelines, `( … )`, `if … end`,
 * `{{-`/`-}}` trimming; quote, int, add, div, gt, not, and, or, toJson, toYaml, nindent,
 * sha256sum, printf (`%s` only), default, dict (empty), get, randAlphaNum, b64enc and Helm's
 * lookup). Anything else, or a value that is missing, throws: a template that uses more than
 * this fails its test instead of rendering wrong.
 */
import { createHash, randomInt } from "node:crypto";
import { stringify } from "yaml";

/** What a template sees: `.Values`, `.Release`, `.Chart`, `.Files`. */
export interface RenderScope {
  Values: Record<string, unknown>;
  Release: { Name: string; Namespace?: string };
  Chart: Record<string, unknown>;
  /** The chart's files (`.Files.Get "files/x"`). */
  Files?: { Get(path: string): string };
  /**
   * Helm's `lookup`: the object as the cluster holds it. Without it, every lookup answers an empty
   * map, as under `helm template` and `helm install --dry-run`.
   */
  lookup?(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Record<string, unknown> | undefined;
}

type Node = { text: string } | { expr: string } | { if: string; body: Node[] };
type Variables = Map<string, unknown>;

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** JSON with keys sorted, as Go's encoding/json writes maps. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  quote: (v) => JSON.stringify(String(v)),
  int: (v) => Math.trunc(Number(v)),
  add: (a, b) => Math.trunc(Number(a)) + Math.trunc(Number(b)),
  div: (a, b) => Math.trunc(Math.trunc(Number(a)) / Math.trunc(Number(b))),
  gt: (a, b) => Number(a) > Number(b),
  // Go's and/or answer an operand, not a boolean; `if` reads them the same
  not: (v) => !truthy(v),
  and: (...args) => args.find((v) => !truthy(v)) ?? args.at(-1),
  or: (...args) => args.find((v) => truthy(v)) ?? args.at(-1),
  toJson: (v) => goJson(v),
  toYaml: (v) => stringify(v).replace(/\n$/, ""),
  nindent: (n, v) => `\n${String(v).replace(/^/gm, " ".repeat(Number(n)))}`,
  sha256sum: (v) => createHash("sha256").update(String(v)).digest("hex"),
  printf: (format, ...args) => {
    const rest = [...args];
    return String(format).replace(/%[a-z%]/g, (verb) => {
      if (verb !== "%s") throw new Error(`printf ${verb} is not supported`);
      return String(rest.shift());
    });
  },
  // Sprig's default: the given value unless it is empty, else the default (the first argument)
  default: (fallback, given) => (truthy(given) ? given : fallback),
  dict: (...args) => {
    if (args.length > 0) throw new Error("dict with arguments is not supported");
    return {};
  },
  get: (map, key) => (map as Record<string, unknown>)[String(key)] ?? "",
  randAlphaNum: (n) => Array.from({ length: Number(n) }, () => ALPHANUMERIC[randomInt(62)]).join(""),
  b64enc: (v) => Buffer.from(String(v)).toString("base64"),
};

/** Splits an action into words, string literals and parentheses. */
function tokens(expr: string): string[] {
  return expr.match(/"(?:[^"\\]|\\.)*"|[()|]|[^\s()|]+/g) ?? [];
}

function evaluate(expr: string, scope: RenderScope, variables: Variables): unknown {
  const words = tokens(expr);
  const functions: Record<string, (...args: unknown[]) => unknown> = {
    ...FUNCTIONS,
    lookup: (apiVersion, kind, namespace, name) =>
      scope.lookup?.(String(apiVersion), String(kind), String(namespace), String(name)) ?? {},
  };
  let at = 0;
  const operand = (): unknown => {
    const word = words[at++];
    if (word === undefined) throw new Error(`incomplete action {{ ${expr} }}`);
    if (word === "(") {
      const value = pipeline();
      if (words[at++] !== ")") throw new Error(`unbalanced ( in {{ ${expr} }}`);
      return value;
    }
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word.startsWith("$")) {
      if (!variables.has(word)) throw new Error(`undefined variable ${word}`);
      return variables.get(word);
    }
    // a function name as an argument is called with no arguments, as Go does (`default dict`)
    if (functions[word]) return functions[word]();
    if (word.startsWith(".")) {
      let value: unknown = scope;
      for (const key of word.slice(1).split(".")) {
        if (!value || typeof value !== "object" || !(key in value)) throw new Error(`no value ${word}`);
        value = (value as Record<string, unknown>)[key];
      }
      return value;
    }
    throw new Error(`unsupported operand ${word} in {{ ${expr} }}`);
  };
  const command = (piped: unknown[]): unknown => {
    const word = words[at];
    // a method of the scope, such as .Files.Get, takes the words after it as its arguments
    const method = word === ".Files.Get" ? (path: unknown) => filesGet(scope, path) : undefined;
    const fn = word === undefined ? undefined : (method ?? functions[word]);
    if (!fn) {
      if (piped.length > 0) throw new Error(`unsupported function ${word} in {{ ${expr} }}`);
      return operand();
    }
    at++;
    const args: unknown[] = [];
    while (at < words.length && words[at] !== "|" && words[at] !== ")") args.push(operand());
    return fn(...args, ...piped);
  };
  const pipeline = (): unknown => {
    let value = command([]);
    while (words[at] === "|") {
      at++;
      value = command([value]);
    }
    return value;
  };
  const value = pipeline();
  if (at !== words.length) throw new Error(`unexpected ${words[at]} in {{ ${expr} }}`);
  return value;
}

function filesGet(scope: RenderScope, path: unknown): string {
  if (!scope.Files) throw new Error(`no .Files to read ${path} from`);
  return scope.Files.Get(String(path));
}

/** Parses a template into text, actions and `if` blocks, applying the trim markers. */
function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: { if: string; body: Node[] }[] = [];
  const parts = template.split(/(\{\{-?\s[\s\S]*?\s-?\}\})/);
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i] as string;
    const target = stack.at(-1)?.body ?? root;
    if (i % 2 === 0) {
      if (parts[i - 1]?.endsWith("-}}")) part = part.trimStart();
      if (parts[i + 1]?.startsWith("{{-")) part = part.trimEnd();
      target.push({ text: part });
      continue;
    }
    const action = part.replace(/^\{\{-?\s+|\s+-?\}\}$/g, "");
    if (action.startsWith("if ")) {
      const block = { if: action.slice(3), body: [] };
      target.push(block);
      stack.push(block);
    } else if (action === "end") {
      if (!stack.pop()) throw new Error("{{ end }} without {{ if }}");
    } else {
      target.push({ expr: action });
    }
  }
  if (stack.length > 0) throw new Error("{{ if }} without {{ end }}");
  return root;
}

/** Go templates' `if`: false, 0, nil and empty strings, lists and maps are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function run(nodes: Node[], scope: RenderScope, outer: Variables): string {
  // a variable lives until the end of the block it is declared in
  const variables: Variables = new Map(outer);
  return nodes
    .map((node) => {
      if ("text" in node) return node.text;
      if ("expr" in node) {
        const declaration = /^(\$[A-Za-z_]\w*)\s*:=\s*([\s\S]+)$/.exec(node.expr);
        if (declaration) {
          variables.set(declaration[1] as string, evaluate(declaration[2] as string, scope, variables));
          return "";
        }
        const value = evaluate(node.expr, scope, variables);
        if (value && typeof value === "object") throw new Error(`{{ ${node.expr} }} prints an object`);
        return String(value);
      }
      return truthy(evaluate(node.if, scope, variables)) ? run(node.body, scope, variables) : "";
    })
    .join("");
}

/** Renders one template for `scope`. */
export function renderTemplate(template: string, scope: RenderScope): string {
  return run(parse(template), scope, new Map());
}
