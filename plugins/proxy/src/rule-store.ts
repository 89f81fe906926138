/**
 * Where rules come from: the plugin settings (read-only at run time) and the rules API, whose
 * rules are saved in `<dataDir>/rules.json` (written atomically) and come back after a restart.
 * Every change builds a new `RuleTable` that takes effect for the next request.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";
import { type ProxyRule, ruleSchema } from "./rule.ts";
import { RuleTable } from "./rule-table.ts";

/** A rule as the API lists it: where it came from, and its settings. */
export interface ListedRule extends ProxyRule {
  readonly source: "config" | "api";
}

const savedSchema = z.object({ rules: z.array(ruleSchema) });

/** Parses a rule from the API, or throws `BUNTIME_ERR_PROXY_RULE_INVALID` naming the field. */
export function parseRule(input: unknown): ProxyRule {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
      details: formatZodIssues(parsed.error, "rule"),
    });
  }
  return parsed.data;
}

/** Holds the rules and the table built from them. */
export class RuleStore {
  private apiRules: ProxyRule[];
  private current: RuleTable;
  private readonly file: string;

  constructor(
    private readonly configRules: readonly ProxyRule[],
    dataDir: string,
  ) {
    this.file = join(dataDir, "rules.json");
    this.apiRules = this.load();
    const ids = new Set<string>();
    for (const rule of [...configRules, ...this.apiRules]) {
      if (ids.has(rule.id)) {
        throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
          details: `two rules have the id ${rule.id}`,
        });
      }
      ids.add(rule.id);
    }
    this.current = new RuleTable([...configRules, ...this.apiRules]);
  }

  /** The table requests are matched against. */
  get table(): RuleTable {
    return this.current;
  }

  list(): ListedRule[] {
    return [
      ...this.configRules.map((rule) => ({ ...rule, source: "config" as const })),
      ...this.apiRules.map((rule) => ({ ...rule, source: "api" as const })),
    ];
  }

  /** Adds a rule; its id must be new. */
  add(rule: ProxyRule): void {
    if (this.list().some((existing) => existing.id === rule.id)) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
        details: `a rule with id ${rule.id} exists`,
      });
    }
    this.commit([...this.apiRules, rule]);
  }

  /** Replaces API rule `id`. */
  replace(id: string, rule: ProxyRule): void {
    this.editable(id);
    if (rule.id !== id) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
        details: `the body's id ${rule.id} is not ${id}`,
      });
    }
    this.commit(this.apiRules.map((existing) => (existing.id === id ? rule : existing)));
  }

  /** Removes API rule `id`. */
  remove(id: string): void {
    this.editable(id);
    this.commit(this.apiRules.filter((existing) => existing.id !== id));
  }

  private editable(id: string): void {
    if (this.configRules.some((rule) => rule.id === id)) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_READONLY", { rule: id });
    }
    if (!this.apiRules.some((rule) => rule.id === id)) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_NOT_FOUND", { rule: id });
    }
  }

  private commit(rules: ProxyRule[]): void {
    const table = new RuleTable([...this.configRules, ...rules]);
    mkdirSync(join(this.file, ".."), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ rules }, null, 2)}\n`);
    renameSync(temporary, this.file);
    this.apiRules = rules;
    this.current = table;
  }

  private load(): ProxyRule[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    const parsed = savedSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
        details: `${this.file}: ${formatZodIssues(parsed.error, "rules.json")}`,
      });
    }
    return parsed.data.rules;
  }
}
