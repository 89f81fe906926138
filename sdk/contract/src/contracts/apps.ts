/**
 * The `apps` service contract: which app a path reaches, where its versions live, and which app
 * sent a request from inside its worker. `@buntime/plugin-router` provides it.
 */

/** Which app a request path addresses, as the router reads it. */
export interface AppLocation {
  /** The app's name (the homepage's name for `/`). */
  readonly name: string;
  /** The path the app sees, starting with `/`. */
  readonly rest: string;
}

/**
 * The `apps` service. The router is the one place that knows which paths reach which app and
 * where apps live (its `appsDir`, the homepage at `/`), so other plugins ask it.
 *
 * @example
 * const app = ctx.services.get("apps").locate("/todo/items"); // { name: "todo", rest: "/items" }
 */
export interface AppsService {
  /**
   * The calling app's name, else undefined. Without `callee` (a call to a plugin) the request
   * must carry the app's own `BUNTIME_APP_TOKEN`; with `callee` (a call to that app) a token
   * minted for `callee` by `mintAppToken` that has not expired: a callee cannot replay what it got.
   */
  identify(request: Request, callee?: string): string | undefined;
  /**
   * The app `pathname` addresses (`/:app/*`, `/:app@range/*`, or `/` when a homepage is set),
   * read from the path alone; undefined for paths that are no app address. The app need not be
   * installed: `folders` tells.
   */
  locate(pathname: string): AppLocation | undefined;
  /** The folders of every installed version of app `name`, highest first; none when unknown. */
  folders(name: string): Promise<readonly string[]>;
}
