/**
 * Where rules come from: the plugin settings (read-only at run time) and the rules API. The
 * API's rules are kept in the `keyval` service when a plugin provides it (namespace `proxy`,
 * key `rules`), so every node of a cluster serves the same rules: a change through one node is
 * saved with a version check and every other node reads it within `refreshMs`. Without keyval
 * they are kept in `<dataDir>/rules.json` (written atomically), for this node alone. Every change
 * builds a new `RuleTable` that takes effect for the next request.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError, formatZodIssues, type KeyValueStore, type Logger } from "@buntime/sdk";
import { z } from "zod";
import { type ProxyRule, ruleSchema } from "./rule.ts";
import { RuleTable } from "./rule-table.ts";

/** A rule as the API lists it: where it came from, and its settings. */
export interface ListedRule extends ProxyRule {
  readonly source: "config" | "api";
}

/** The part of the keyval service the rules are kept in. */
export type RuleKv = Pick<KeyValueStore, "get" | "set">;

/** Where and how the API's rules are kept. */
export interface RuleStoreOptions {
  /**
   * The keyval namespace every node shares, looked up on each use (a storage plugin replaced
   * while the kernel runs closes the store it handed out). Without it, `<dataDir>/rules.json`.
   */
  readonly kv?: () => RuleKv;
  /** How often a node reads the shared rules again, in ms. @default 1000 */
  readonly refreshMs?: number;
  readonly logger?: Logger;
}

/** The API's rules as saved, and the version a save must still find to replace them. */
interface Saved {
  readonly rules: ProxyRule[];
  /** null: nothing saved yet. */
  readonly version: string | null;
}

/** Where the API's rules are saved. */
interface Keeper {
  readonly shared: boolean;
  read(): Promise<Saved>;
  /** Saves `rules` if the saved version is still `version`; resolves with the new version, or null when another save came first. */
  write(rules: ProxyRule[], version: string | null): Promise<string | null>;
}

const savedSchema = z.object({ rules: z.array(ruleSchema) });

/** Most times a change is tried again after another node's change came first. */
const MAX_ATTEMPTS = 20;

function parseSaved(value: unknown, where: string): ProxyRule[] {
  const parsed = savedSchema.safeParse(value);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
      details: `${where}: ${formatZodIssues(parsed.error, "rules")}`,
    });
  }
  return parsed.data.rules;
}

/** The rules of `<dataDir>/rules.json`: one process owns the file, so a counter versions it. */
function fileKeeper(file: string): Keeper {
  let version = 0;
  const readFile = (): ProxyRule[] | undefined => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    return parseSaved(JSON.parse(text), file);
  };
  return {
    shared: false,
    async read() {
      const rules = readFile();
      return { rules: rules ?? [], version: rules ? String(version) : null };
    },
    async write(rules, expected) {
      if (expected !== null && expected !== String(version)) return null;
      mkdirSync(join(file, ".."), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ rules }, null, 2)}\n`);
      renameSync(temporary, file);
      version++;
      return String(version);
    },
  };
}

/** The rules under key `rules` of the shared keyval namespace, saved with check-and-set. */
function keyvalKeeper(kv: () => RuleKv): Keeper {
  return {
    shared: true,
    async read() {
      const entry = await kv().get<unknown>("rules");
      return entry
        ? { rules: parseSaved(entry.value, "keyval proxy/rules"), version: entry.version }
        : { rules: [], version: null };
    },
    async write(rules, version) {
      const result = await kv().set("rules", { rules }, { version });
      return result.ok ? result.version : null;
    },
  };
}

/** Holds the rules and the table built from them. */
export class RuleStore {
  #saved: Saved;
  #current: RuleTable;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly configRules: readonly ProxyRule[],
    private readonly keeper: Keeper,
    saved: Saved,
  ) {
    this.#saved = saved;
    this.#current = this.#build(saved.rules);
  }

  /**
   * Reads the saved rules and starts keeping them. Throws `BUNTIME_ERR_PROXY_RULE_INVALID` when
   * two rules share an id. With shared keyval and nothing shared yet, this node's own
   * `rules.json` (from before it joined a cluster) becomes the shared rules.
   */
  static async open(
    configRules: readonly ProxyRule[],
    dataDir: string,
    options: RuleStoreOptions = {},
  ): Promise<RuleStore> {
    const file = fileKeeper(join(dataDir, "rules.json"));
    const keeper = options.kv ? keyvalKeeper(options.kv) : file;
    let saved = await keeper.read();
    if (keeper.shared && saved.version === null) {
      const own = await file.read();
      if (own.rules.length > 0 && (await keeper.write(own.rules, null)) !== null) saved = await keeper.read();
    }
    const ids = new Set<string>();
    for (const rule of [...configRules, ...saved.rules]) {
      if (ids.has(rule.id)) {
        throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
          details: `two rules have the id ${rule.id}`,
        });
      }
      ids.add(rule.id);
    }
    const store = new RuleStore(configRules, keeper, saved);
    if (keeper.shared) {
      store.#timer = setInterval(() => {
        store
          .refresh()
          .catch((error) => options.logger?.warn("reading the shared proxy rules failed", { error }));
      }, options.refreshMs ?? 1000);
      store.#timer.unref?.();
    }
    return store;
  }

  /** The table requests are matched against. */
  get table(): RuleTable {
    return this.#current;
  }

  list(): ListedRule[] {
    return [
      ...this.configRules.map((rule) => ({ ...rule, source: "config" as const })),
      ...this.#apiRules().map((rule) => ({ ...rule, source: "api" as const })),
    ];
  }

  /** Adds a rule; its id must be new. */
  add(rule: ProxyRule): Promise<void> {
    return this.#change((rules) => {
      if ([...this.configRules, ...rules].some((existing) => existing.id === rule.id)) {
        throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
          details: `a rule with id ${rule.id} exists`,
        });
      }
      return [...rules, rule];
    });
  }

  /** Replaces API rule `id`. */
  replace(id: string, rule: ProxyRule): Promise<void> {
    return this.#change((rules) => {
      this.#editable(id, rules);
      if (rule.id !== id) {
        throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_INVALID", {
          details: `the body's id ${rule.id} is not ${id}`,
        });
      }
      return rules.map((existing) => (existing.id === id ? rule : existing));
    });
  }

  /** Removes API rule `id`. */
  remove(id: string): Promise<void> {
    return this.#change((rules) => {
      this.#editable(id, rules);
      return rules.filter((existing) => existing.id !== id);
    });
  }

  /** Reads the saved rules again and serves them when they changed (another node's change). */
  async refresh(): Promise<void> {
    const saved = await this.keeper.read();
    if (saved.version !== this.#saved.version) this.#use(saved);
  }

  /** Stops reading the shared rules. */
  close(): void {
    clearInterval(this.#timer);
  }

  /** The API's rules, but for any whose id a setting took (only another node's settings could differ). */
  #apiRules(): ProxyRule[] {
    return this.#saved.rules.filter((rule) => !this.configRules.some((own) => own.id === rule.id));
  }

  #build(rules: readonly ProxyRule[]): RuleTable {
    const api = rules.filter((rule) => !this.configRules.some((own) => own.id === rule.id));
    return new RuleTable([...this.configRules, ...api]);
  }

  #use(saved: Saved): void {
    const table = this.#build(saved.rules);
    this.#saved = saved;
    this.#current = table;
  }

  #editable(id: string, rules: readonly ProxyRule[]): void {
    if (this.configRules.some((rule) => rule.id === id)) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_READONLY", { rule: id });
    }
    if (!rules.some((rule) => rule.id === id)) {
      throw new BuntimeError("BUNTIME_ERR_PROXY_RULE_NOT_FOUND", { rule: id });
    }
  }

  /** Applies `edit` to the latest saved rules and saves the result, again if another save came first. */
  async #change(edit: (rules: ProxyRule[]) => ProxyRule[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const saved = await this.keeper.read();
      this.#use(saved);
      const rules = edit(saved.rules);
      const table = this.#build(rules); // a rule that cannot compile fails here, before it is saved
      const version = await this.keeper.write(rules, saved.version);
      if (version === null) continue;
      this.#saved = { rules, version };
      this.#current = table;
      return;
    }
    throw new BuntimeError("BUNTIME_ERR_PROXY_RULES_BUSY", { attempts: MAX_ATTEMPTS });
  }
}
