import { type ParseError, parse, printParseErrorCode } from "jsonc-parser";

/** Where in a text a JSON syntax error is: 1-based line and column. */
export interface JsonErrorPlace {
  readonly line: number;
  readonly column: number;
  /** What the parser expected or found there, e.g. "property name expected". */
  readonly problem: string;
}

/**
 * Finds the first syntax error of a text that `JSON.parse` refused. Bun's `JSON.parse` says what
 * went wrong but not where, so a strict parser that reports offsets locates it; undefined when
 * that parser finds nothing (a text only `JSON.parse` refuses).
 */
export function locateJsonError(text: string): JsonErrorPlace | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return undefined;
  const before = text.slice(0, first.offset).split("\n");
  return {
    line: before.length,
    column: (before.at(-1)?.length ?? 0) + 1,
    // "PropertyNameExpected" reads as "property name expected"
    problem: printParseErrorCode(first.error)
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase(),
  };
}
