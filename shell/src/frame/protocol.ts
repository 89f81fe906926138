/**
 * The wire protocol between a `<z-frame>` and the `frameSDK` inside it: the message types of
 * `@zomme/frame` (so frames written for it keep working) plus a ping for the watchdog, and one
 * strict schema per type. Anything that does not parse is dropped before any handler sees it.
 */
import * as z from "zod/mini";

/** Names of the message types, as they travel. */
export const MESSAGE = {
  INIT: "__INIT__",
  READY: "__READY__",
  PROPS_UPDATE: "__PROPS_UPDATE__",
  EVENT: "__EVENT__",
  CUSTOM_EVENT: "__CUSTOM_EVENT__",
  FUNCTION_CALL: "__FUNCTION_CALL__",
  FUNCTION_RESPONSE: "__FUNCTION_RESPONSE__",
  FUNCTION_RELEASE: "__FUNCTION_RELEASE__",
  FUNCTION_RELEASE_BATCH: "__FUNCTION_RELEASE_BATCH__",
  PING: "__PING__",
  PONG: "__PONG__",
} as const;

/** Timeouts and limits, in milliseconds and counts (the same as `@zomme/frame`'s). */
export const LIMITS = {
  loadTimeout: 10_000,
  initTimeout: 10_000,
  callTimeout: 5_000,
  maxDepth: 100,
  maxFunctions: 1000,
} as const;

/** Event names: letters, digits and `_:.-`, as `@zomme/frame` requires. */
export const EVENT_NAME = /^[a-zA-Z0-9_:.-]{1,128}$/;

const id = z.string().check(z.minLength(1), z.maxLength(128));
const eventName = z.string().check(z.regex(EVENT_NAME));
const record = z.record(z.string(), z.unknown());

const schemas = [
  z.strictObject({ type: z.literal(MESSAGE.READY) }),
  z.strictObject({ type: z.literal(MESSAGE.PROPS_UPDATE), payload: record }),
  z.strictObject({ type: z.literal(MESSAGE.EVENT), name: eventName, data: z.optional(z.unknown()) }),
  z.strictObject({
    type: z.literal(MESSAGE.CUSTOM_EVENT),
    payload: z.strictObject({ name: eventName, data: z.optional(z.unknown()) }),
  }),
  z.strictObject({
    type: z.literal(MESSAGE.FUNCTION_CALL),
    callId: id,
    fnId: id,
    params: z.array(z.unknown()),
  }),
  z.strictObject({
    type: z.literal(MESSAGE.FUNCTION_RESPONSE),
    callId: id,
    success: z.boolean(),
    result: z.optional(z.unknown()),
    error: z.optional(z.string()),
  }),
  z.strictObject({ type: z.literal(MESSAGE.FUNCTION_RELEASE), fnId: id }),
  z.strictObject({
    type: z.literal(MESSAGE.FUNCTION_RELEASE_BATCH),
    fnIds: z.array(id).check(z.maxLength(LIMITS.maxFunctions)),
  }),
  z.strictObject({ type: z.literal(MESSAGE.PING), id }),
  z.strictObject({ type: z.literal(MESSAGE.PONG), id }),
] as const;

/** Any message that travels over the channel once it is open. */
export const channelMessageSchema = z.discriminatedUnion("type", [...schemas]);

/** A valid channel message. */
export type ChannelMessage = z.infer<typeof channelMessageSchema>;

/** The INIT message, the one that travels by `window.postMessage` with the port. */
export const initMessageSchema = z.strictObject({ type: z.literal(MESSAGE.INIT), payload: record });

/** The message `data` as a valid channel message, else undefined (and a warning naming why). */
export function parseChannelMessage(data: unknown): ChannelMessage | undefined {
  const result = channelMessageSchema.safeParse(data);
  if (result.success) return result.data;
  console.warn("[frame] dropped a malformed message:", result.error.issues[0]?.message ?? "invalid");
  return undefined;
}
