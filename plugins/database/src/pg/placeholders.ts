/**
 * SQLite's parameter forms (`?`, `?NNN`, `:name`, `@name`, `$name`) rewritten to PostgreSQL's
 * `$n`, outside string literals, quoted identifiers and comments, with the values in `$n` order.
 */
import type { SqliteValue } from "../engine/values.ts";

/** The rewritten text and its parameters. */
export interface PostgresStatement {
  readonly text: string;
  readonly params: SqliteValue[];
}

const SKIPPED = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//y;
const PARAMETER = /\?(\d*)|([:@$])([A-Za-z_][A-Za-z0-9_]*)/y;

/** A parameter as the text names it: by position (0-based) or by name (without its prefix). */
export type Parameter =
  | { readonly index: number; readonly shown: string }
  | { readonly name: string; readonly shown: string };

/**
 * Rewrites `sql`'s parameters to `$n`, each distinct one numbered once, with the value `valueFor`
 * gives it. Throws naming a parameter that has none (`valueFor` answered undefined).
 */
export function rewriteParameters(
  sql: string,
  valueFor: (parameter: Parameter) => SqliteValue | undefined,
): PostgresStatement {
  const params: SqliteValue[] = [];
  const numbers = new Map<string, number>();
  let text = "";
  let next = 0;
  let i = 0;
  const bind = (id: string, parameter: Parameter) => {
    let number = numbers.get(id);
    if (number === undefined) {
      const value = valueFor(parameter);
      if (value === undefined) throw new Error(`no value for parameter ${parameter.shown}`);
      params.push(value);
      number = params.length;
      numbers.set(id, number);
    }
    return `$${number}`;
  };
  while (i < sql.length) {
    SKIPPED.lastIndex = i;
    const skipped = SKIPPED.exec(sql);
    if (skipped) {
      text += skipped[0];
      i = SKIPPED.lastIndex;
      continue;
    }
    PARAMETER.lastIndex = i;
    const found = sql[i - 1] === ":" ? null : PARAMETER.exec(sql); // `::type` casts are no parameters
    if (found && !(found[2] === ":" && sql[i + 1] === ":")) {
      if (found[3] === undefined) {
        const index = found[1] ? Number(found[1]) - 1 : next++;
        text += bind(`?${index}`, { index, shown: found[0] });
      } else {
        text += bind(`:${found[3]}`, { name: found[3], shown: found[0] });
      }
      i = PARAMETER.lastIndex;
      continue;
    }
    text += sql[i];
    i++;
  }
  return { text, params };
}

/**
 * Rewrites `sql`: positional args fill `?` in order (`?3` is the third), named args are found by
 * name with or without their prefix. Throws naming a parameter that has no value.
 */
export function toPostgres(
  sql: string,
  positional: readonly SqliteValue[],
  named: ReadonlyMap<string, SqliteValue>,
): PostgresStatement {
  return rewriteParameters(sql, (parameter) =>
    "index" in parameter
      ? positional[parameter.index]
      : (named.get(parameter.shown) ?? named.get(parameter.name)),
  );
}
