/**
 * The one decision both proxy paths (CONNECT and absolute-URI requests) share: may the app
 * reach this target, and at which addresses. Every refusal is a BuntimeError naming the rule
 * to declare; every decision is logged.
 */
import type { Logger } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";
import type { CompiledPolicy } from "./policy.ts";
import { suggestRule } from "./policy.ts";
import { type EgressLookup, resolveTarget } from "./resolve.ts";
import { type EgressTarget, formatTarget } from "./target.ts";

/** One app's routing: where it may connect, and how to say an allowed target failed. */
export interface Router {
  readonly app: string;
  /** The addresses the app may connect to for `target`; throws the refusal. */
  addresses(target: EgressTarget): Promise<readonly string[]>;
  /** `BUNTIME_ERR_POOL_EGRESS_UNREACHABLE` for an allowed target that failed with `error`. */
  unreachable(target: EgressTarget, error: unknown): BuntimeError;
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/** A router for one app's policy; DNS answers slower than `lookupTimeoutMs` count as unreachable. */
export function createRouter(options: {
  readonly policy: CompiledPolicy;
  readonly lookup: EgressLookup;
  readonly lookupTimeoutMs: number;
  readonly logger?: Logger;
}): Router {
  const { policy, logger } = options;
  const app = policy.app;
  const unreachable = (target: EgressTarget, error: unknown) => {
    const where = formatTarget(target);
    const reason = reasonOf(error);
    logger?.warn("egress target unreachable", { app, target: where, reason });
    return new BuntimeError(
      "BUNTIME_ERR_POOL_EGRESS_UNREACHABLE",
      { app, target: where, reason },
      { cause: error },
    );
  };
  const addresses = async (target: EgressTarget): Promise<readonly string[]> => {
    const where = formatTarget(target);
    if (!policy.allows(target)) {
      logger?.warn("egress denied", { app, target: where });
      throw new BuntimeError("BUNTIME_ERR_POOL_EGRESS_DENIED", {
        app,
        target: where,
        rule: suggestRule(target),
      });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`DNS did not answer within ${options.lookupTimeoutMs} ms`)),
        options.lookupTimeoutMs,
      );
    });
    let resolution: Awaited<ReturnType<typeof resolveTarget>>;
    try {
      resolution = await Promise.race([resolveTarget(target, policy, options.lookup), timeout]);
    } catch (error) {
      throw unreachable(target, error);
    } finally {
      clearTimeout(timer);
    }
    if ("refused" in resolution) {
      const address = resolution.refused;
      const rule = suggestRule({ host: address, port: target.port, ip: address.includes(":") ? 6 : 4 });
      logger?.warn("egress denied: not a public address", { app, target: where, address });
      throw new BuntimeError("BUNTIME_ERR_POOL_EGRESS_ADDRESS_DENIED", { app, target: where, address, rule });
    }
    logger?.debug("egress allowed", { app, target: where, address: resolution.addresses[0] });
    return resolution.addresses;
  };
  return { app, addresses, unreachable };
}
