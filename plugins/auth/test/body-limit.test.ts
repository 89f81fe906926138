import { afterEach, describe, expect, it } from "bun:test";
import { ADMIN_PASSWORD, errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

describe("auth's request bodies", () => {
  it(
    "refuses a sign-in body over 16 KiB with a coded 413 before hashing or counting it",
    async () => {
      const { kernel } = await startAuth();
      const huge = json("POST", { username: "admin", password: "x".repeat(20_000) });
      for (let i = 0; i < 6; i++) {
        const refused = await kernel.fetch("/auth/login", huge);
        expect(refused.status).toBe(413);
        expect(await errorOf(refused)).toEqual({
          code: "BUNTIME_ERR_BODY_TOO_LARGE",
          message: "/auth/login accepts request bodies up to 16384 bytes",
        });
      }
      // six refusals past the limit of five failed attempts: none was counted
      expect(await signIn(kernel, "admin", ADMIN_PASSWORD)).toContain("buntime_session=");
    },
    HASHING,
  );

  it(
    "refuses a chunked form body past 16 KiB",
    async () => {
      const { kernel } = await startAuth();
      const chunk = new TextEncoder().encode(`username=admin&password=${"x".repeat(4096)}`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ === 100) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const refused = await kernel.fetch("/auth/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked" },
        body,
        // @ts-expect-error: Bun needs duplex for a streamed request body
        duplex: "half",
      });
      expect(refused.status).toBe(413);
      expect(sent).toBeLessThan(10);
    },
    HASHING,
  );
});
