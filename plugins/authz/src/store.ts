/**
 * Policies in the keyval service's `authz` namespace (`policy/<id>`), so every node of a cluster
 * sharing storage reads the same ones. Reads are cached for `ttl` ms: a change made on this node
 * applies at once, one made on another within `ttl`. Without keyval they live in memory.
 */
import type { KeyValueStore, Logger } from "@buntime/sdk";
import { type Policy, parsePolicy } from "./policy.ts";

const PREFIX = "policy/";
/** A bound on policies read, so a flooded namespace cannot stall every request. */
const MAX_POLICIES = 10_000;
const PAGE = 500;

/** Where policies are kept. */
export class PolicyStore {
  #cached: { policies: readonly Policy[]; at: number } | undefined;
  #loading: Promise<readonly Policy[]> | undefined;
  readonly #memory = new Map<string, Policy>();

  /** @param kv the namespace, looked up on every use (storage may be replaced while the kernel runs) */
  constructor(
    private readonly kv: () => KeyValueStore | undefined,
    private readonly ttl: number,
    private readonly logger: Logger,
  ) {}

  /** The cached policies while fresh, else undefined (then `list` reads them). */
  fresh(): readonly Policy[] | undefined {
    return this.#cached && Date.now() - this.#cached.at < this.ttl ? this.#cached.policies : undefined;
  }

  /** Every policy, in id order: cached while fresh. */
  list(): Promise<readonly Policy[]> {
    const fresh = this.fresh();
    if (fresh) return Promise.resolve(fresh);
    this.#loading ??= this.#read().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #read(): Promise<readonly Policy[]> {
    const kv = this.kv();
    const policies: Policy[] = [];
    if (!kv) policies.push(...this.#memory.values());
    let cursor: string | undefined;
    while (kv && policies.length < MAX_POLICIES) {
      const page = await kv.list({ prefix: PREFIX, cursor, limit: PAGE });
      for (const entry of page.entries) {
        try {
          policies.push(parsePolicy(entry.value));
        } catch (error) {
          // it may have been a deny: failing closed, it stands as a deny of everything until fixed
          this.logger.warn(
            `stored policy ${entry.key} is invalid: it denies every request until fixed or deleted`,
            { error },
          );
          policies.push({
            id: entry.key.slice(PREFIX.length),
            effect: "deny",
            description: "invalid: fix or delete it",
          });
        }
      }
      if (!page.cursor) break;
      cursor = page.cursor;
    }
    policies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#cached = { policies, at: Date.now() };
    return policies;
  }

  /** Stores `policy` under its id, replacing any. */
  async put(policy: Policy): Promise<void> {
    const kv = this.kv();
    if (kv) await kv.set(PREFIX + policy.id, policy);
    else this.#memory.set(policy.id, policy);
    this.#cached = undefined;
  }

  /** Removes policy `id`; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const kv = this.kv();
    this.#cached = undefined;
    if (!kv) return this.#memory.delete(id);
    if (!(await kv.get(PREFIX + id))) return false;
    await kv.delete(PREFIX + id);
    return true;
  }
}
