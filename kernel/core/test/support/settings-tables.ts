/**
 * Reads the settings tables of the docs (a Markdown table whose first column is `setting` or
 * `field`, one backticked name per row) and compares them with a JSON Schema: every setting a
 * user may write is documented, nothing documented is missing from the schema, a documented
 * default is the schema's (or at least of a type it admits), and "(required)" is said of exactly
 * the required ones.
 */
import type { JsonSchema } from "@buntime/sdk";

/** One row of a settings table: the setting's name and its cells by column header. */
export interface SettingRow {
  readonly name: string;
  readonly cells: Readonly<Record<string, string>>;
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\||\|$/g, "")
    // a `\|` inside a cell is text, not a column break
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

/** The rows of every table in `markdown` whose first column header is `firstColumn`, table by table. */
export function settingsTables(markdown: string, firstColumn: string): SettingRow[][] {
  const tables: SettingRow[][] = [];
  const lines = markdown.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const header = lines[index] as string;
    if (!header.startsWith("|") || cellsOf(header)[0] !== firstColumn) continue;
    const columns = cellsOf(header);
    const rows: SettingRow[] = [];
    index += 2; // the header and its --- line
    for (; index < lines.length && (lines[index] as string).startsWith("|"); index++) {
      const cells = cellsOf(lines[index] as string);
      const name = /^`([^`]+)`$/.exec(cells[0] ?? "")?.[1];
      if (name === undefined) throw new Error(`a row without one backticked name: ${lines[index]}`);
      rows.push({ name, cells: Object.fromEntries(columns.map((column, at) => [column, cells[at] ?? ""])) });
    }
    tables.push(rows);
  }
  return tables;
}

/** The JSON types a property admits (none when it admits anything). */
function admittedTypes(property: JsonSchema): Set<string> {
  const types = new Set<string>();
  const add = (schema: JsonSchema) => {
    if (typeof schema.type === "string") types.add(schema.type);
    if (Array.isArray(schema.type)) for (const type of schema.type) types.add(String(type));
    if (Array.isArray(schema.enum)) for (const value of schema.enum) types.add(jsonType(value));
    if ("const" in schema) types.add(jsonType(schema.const));
    for (const branch of [schema.anyOf, schema.oneOf]) {
      if (Array.isArray(branch)) for (const inner of branch) add(inner as JsonSchema);
    }
  };
  add(property);
  if (types.has("number")) types.add("integer");
  return types;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * The value a default cell documents: its leading backticked span as JSON, or as a plain string
 * when it is a bare word (`sqlite`); undefined when the cell describes rather than states it
 * (`none`, `env DATABASE_URL`, `` `0.001 … 10` (13 bounds) ``).
 */
export function documentedDefault(cell: string): { value: unknown } | undefined {
  const span = /^`([^`]*)`/.exec(cell)?.[1];
  if (span === undefined || span.includes("…") || /^<.*>/.test(span)) return undefined;
  try {
    return { value: JSON.parse(span) };
  } catch {
    return /^[\w.:/-]+$/.test(span) && !/^[A-Z][A-Z0-9_]+$/.test(span) ? { value: span } : undefined;
  }
}

/** Deep "documented ⊆ actual": an object documents some of a default's keys, anything else all of it. */
function agrees(documented: unknown, actual: unknown): boolean {
  if (typeof documented === "object" && documented !== null && !Array.isArray(documented)) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    return Object.entries(documented).every(([key, value]) =>
      agrees(value, (actual as Record<string, unknown>)[key]),
    );
  }
  return JSON.stringify(documented) === JSON.stringify(actual);
}

/**
 * What is wrong with a settings table against the object schema it documents; empty when it
 * agrees. `retired` names keys the schema keeps only to refuse them with a pointer to what
 * replaced them: they are not settings.
 */
export function tableProblems(
  rows: readonly SettingRow[],
  schema: JsonSchema,
  retired: readonly string[] = [],
): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  // `$schema` is documented once for every file (docs/configuration.md)
  const settable = Object.keys(properties).filter((name) => name !== "$schema" && !retired.includes(name));
  const problems: string[] = [];
  const documented = new Set(rows.map(({ name }) => name));
  for (const name of settable)
    if (!documented.has(name)) problems.push(`${name}: in the schema, not in the table`);
  for (const { name, cells } of rows) {
    const property = properties[name];
    if (!property || !settable.includes(name)) {
      problems.push(`${name}: in the table, not a setting of the schema`);
      continue;
    }
    const cell = cells.default ?? "";
    if (required.has(name) !== (cell === "(required)")) {
      problems.push(
        `${name}: the schema ${required.has(name) ? "requires" : "does not require"} it; the table says "${cell}"`,
      );
      continue;
    }
    const stated = documentedDefault(cell);
    if (!stated) continue;
    if ("default" in property) {
      if (!agrees(stated.value, property.default))
        problems.push(
          `${name}: default ${JSON.stringify(property.default)} in the schema, ${cell} in the table`,
        );
      continue;
    }
    const types = admittedTypes(property);
    if (types.size > 0 && !types.has(jsonType(stated.value)))
      problems.push(`${name}: the table's default ${cell} is no ${[...types].join(" or ")}`);
  }
  return problems;
}
