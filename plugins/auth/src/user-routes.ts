/** Admins' management of users: create, list, change roles, reset passwords, delete. */
import { BuntimeError } from "@buntime/sdk";
import type { Hono } from "hono";
import { z } from "zod";
import type { Authenticator } from "./authenticator.ts";
import { readBody } from "./request-body.ts";
import type { SessionStore } from "./sessions.ts";
import { publicUser, type UserStore } from "./users.ts";

const ROLE = z.string().regex(/^[\w:-]{1,64}$/);
const newUserSchema = z
  .object({
    username: z.string().min(1),
    password: z.string().min(8).optional(),
    roles: z.array(ROLE).default([]),
  })
  .strict();
const rolesSchema = z.object({ roles: z.array(ROLE) }).strict();
const passwordSchema = z.object({ password: z.string() }).strict();

/**
 * Adds `/api/users` routes to `app`, each for admins only. A password reset or a deletion ends
 * every session of that user.
 */
export function mountUserRoutes(
  app: Hono,
  users: UserStore,
  sessions: SessionStore,
  authenticator: Authenticator,
): void {
  app.put("/api/users/:name/password", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const { password } = await readBody(c, passwordSchema);
    await users.setPassword(c.req.param("name"), password);
    await sessions.endAllOf(c.req.param("name"));
    return c.body(null, 204);
  });

  app.get("/api/users", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    return c.json({ users: (await users.list()).map((user) => publicUser(user)) });
  });

  app.post("/api/users", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const input = await readBody(c, newUserSchema);
    return c.json({ user: publicUser(await users.create(input.username, input.password, input.roles)) }, 201);
  });

  app.put("/api/users/:name/roles", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    const stored = await users.get(name);
    if (!stored) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    const { roles } = await readBody(c, rolesSchema);
    await users.put({ ...stored, roles });
    return c.json({ user: publicUser({ ...stored, roles }) });
  });

  app.delete("/api/users/:name", async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    if (!(await users.remove(name)))
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    await sessions.endAllOf(name);
    return c.body(null, 204);
  });
}
