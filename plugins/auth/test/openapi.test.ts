/** The auth plugin in the kernel's OpenAPI document: every route under its base, with the bodies it checks. */
import { afterEach, describe, expect, it } from "bun:test";
import { operationsOf } from "@buntime/sdk";
import { errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

describe("auth in /_/api/openapi.json", () => {
  it(
    "lists the sign-in, setup, key, password, user and single sign-on routes under /auth",
    async () => {
      const { kernel } = await startAuth();
      const document = await (await kernel.fetch("/_/api/openapi.json")).json();
      expect(operationsOf(document)).toEqual(
        expect.arrayContaining([
          "get /auth/login",
          "post /auth/login",
          "post /auth/logout",
          "get /auth/me",
          "get /auth/setup",
          "post /auth/setup",
          "get /auth/api/keys",
          "post /auth/api/keys",
          "delete /auth/api/keys/{id}",
          "post /auth/api/password",
          "get /auth/api/users",
          "post /auth/api/users",
          "put /auth/api/users/{name}/roles",
          "put /auth/api/users/{name}/password",
          "delete /auth/api/users/{name}",
          "get /auth/oidc/login",
          "get /auth/oidc/callback",
        ]),
      );
      // the pages post forms: the sign-in takes the same fields as JSON or as a form, and answers a form with a redirect
      const login = document.paths["/auth/login"].post;
      expect(Object.keys(login.requestBody.content)).toEqual([
        "application/json",
        "application/x-www-form-urlencoded",
      ]);
      expect(login.responses).toHaveProperty("303");
      expect(document.paths["/auth/login"].get.responses[200].content).toHaveProperty("text/html");
      const newUser = document.paths["/auth/api/users"].post.requestBody.content["application/json"].schema;
      expect(newUser.required).toEqual(["username"]);
      expect(newUser.additionalProperties).toBe(false);
      expect(document.paths["/auth/api/users/{name}"].delete.parameters).toEqual([
        expect.objectContaining({ in: "path", name: "name", required: true }),
      ]);
      const key = document.paths["/auth/api/keys"].post.requestBody.content["application/json"].schema;
      expect(key.properties.name).toMatchObject({ minLength: 1, maxLength: 100 });
    },
    HASHING,
  );

  it(
    "refuses a body the document calls invalid, and checks who asks before the body",
    async () => {
      const { kernel } = await startAuth();
      // a user body with a key the schema does not know: a stranger learns nothing of the shape
      const stranger = await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", colour: "red" }),
      );
      expect(stranger.status).toBe(401);
      const cookie = await signIn(kernel);
      const refused = await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", colour: "red" }, { cookie }),
      );
      expect(refused.status).toBe(400);
      expect((await errorOf(refused)).code).toBe("BUNTIME_ERR_AUTH_REQUEST_INVALID");
      // an API key name over the schema's maxLength, with the message it always had
      const long = await kernel.fetch("/auth/api/keys", json("POST", { name: "k".repeat(101) }, { cookie }));
      expect(long.status).toBe(400);
      expect(await errorOf(long)).toEqual({
        code: "BUNTIME_ERR_AUTH_REQUEST_INVALID",
        message: "invalid auth request: name: expected 1-100 characters",
      });
      // every path under the base is auth's: one it has no route for is a coded 404, not another plugin's
      const nothing = await kernel.fetch("/auth/nothing-here");
      expect(nothing.status).toBe(404);
      expect((await errorOf(nothing)).code).toBe("BUNTIME_ERR_NOT_FOUND");
    },
    HASHING,
  );
});
