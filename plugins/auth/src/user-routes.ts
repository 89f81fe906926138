/** Admins' management of users: create, list, change roles, reset passwords, delete. */
import { BuntimeError } from "@buntime/sdk";
import type { Hono } from "hono";
import type { Authenticator } from "./authenticator.ts";
import { readBody } from "./request-body.ts";
import {
  authDescriptions as describe,
  newUserSchema,
  passwordSchema,
  rolesSchema,
} from "./route-descriptions.ts";
import type { SessionStore } from "./sessions.ts";
import { publicUser, type UserStore } from "./users.ts";

/**
 * Adds `/api/users` routes to `app`, each for admins only. A password reset or a deletion ends
 * every session of that user. The admin check comes before the body is read, so a caller who is
 * no admin learns nothing of a body's shape from a 400.
 */
export function mountUserRoutes(
  app: Hono,
  users: UserStore,
  sessions: SessionStore,
  authenticator: Authenticator,
): void {
  app.put("/api/users/:name/password", describe.resetPassword, async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const { password } = await readBody(c, passwordSchema);
    await users.setPassword(c.req.param("name"), password);
    await sessions.endAllOf(c.req.param("name"));
    return c.body(null, 204);
  });

  app.get("/api/users", describe.listUsers, async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    return c.json({ users: (await users.list()).map((user) => publicUser(user)) });
  });

  app.post("/api/users", describe.createUser, async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const input = await readBody(c, newUserSchema);
    return c.json({ user: publicUser(await users.create(input.username, input.password, input.roles)) }, 201);
  });

  app.put("/api/users/:name/roles", describe.setRoles, async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    const stored = await users.get(name);
    if (!stored) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    const { roles } = await readBody(c, rolesSchema);
    await users.put({ ...stored, roles });
    return c.json({ user: publicUser({ ...stored, roles }) });
  });

  app.delete("/api/users/:name", describe.deleteUser, async (c) => {
    await authenticator.requireRole(c.req.raw, "admin");
    const name = c.req.param("name");
    if (!(await users.remove(name)))
      throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: name });
    await sessions.endAllOf(name);
    return c.body(null, 204);
  });
}
