/**
 * Renders this package's Helm templates for tests, with no `helm` binary: the subset of Go
 * templates and Sprig functions they use (`{{ .Values.a.b }}`, `.Release.Name`, `.Chart.*`,
 * pipelines, `( … )`, `if … end`, `{{-`/`-}}` trimming; quote, int, add, div, gt, not, and, or, toJson,
 * toYaml, nindent, sha256sum). Anything else, or a value that is missing, throws: a template
 * that uses more than this fails its test instead of rendering wrong.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";

/** What a template sees: `.Values`, `.Release`, `.Chart`. */
export interface RenderScope {
  Values: Record<string, unknown>;
  Release: { Name: string };
  Chart: Record<string, unknown>;
}

type Node = { text: string } | { expr: string } | { if: string; body: Node[] };

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
};

/** Splits an action into words, string literals and parentheses. */
function tokens(expr: string): string[] {
  return expr.match(/"(?:[^"\\]|\\.)*"|[()|]|[^\s()|]+/g) ?? [];
}

function evaluate(expr: string, scope: RenderScope): unknown {
  const words = tokens(expr);
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
    const fn = word === undefined ? undefined : FUNCTIONS[word];
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

function run(nodes: Node[], scope: RenderScope): string {
  return nodes
    .map((node) => {
      if ("text" in node) return node.text;
      if ("expr" in node) {
        const value = evaluate(node.expr, scope);
        if (value && typeof value === "object") throw new Error(`{{ ${node.expr} }} prints an object`);
        return String(value);
      }
      return truthy(evaluate(node.if, scope)) ? run(node.body, scope) : "";
    })
    .join("");
}

/** Renders one template for `scope`. */
export function renderTemplate(template: string, scope: RenderScope): string {
  return run(parse(template), scope);
}
