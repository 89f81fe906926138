/** The transport: requests to the storage plugin's HTTP API with the app's token, errors as `KvError`. */

/** Where the API is and who is asking. */
export interface KvConnection {
  /** The kernel's URL. @default process.env.BUNTIME_URL */
  readonly url?: string;
  /** The app's token. @default process.env.BUNTIME_APP_TOKEN */
  readonly token?: string;
  /** Where the storage plugin is mounted. @default "/storage" */
  readonly base?: string;
  /** The fetch to use (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A failure the API reported, with its `BUNTIME_ERR_*` code and HTTP status. */
export class KvError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "KvError";
  }
}

/** Sends API requests for one app. */
export class Transport {
  readonly #root: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  /** `path` goes after the API's root in every request (a shared space's, or none). */
  constructor(connection: KvConnection = {}, path = "") {
    const url = connection.url ?? process.env.BUNTIME_URL;
    const token = connection.token ?? process.env.BUNTIME_APP_TOKEN;
    if (!url)
      throw new KvError(
        "no kernel URL: pass { url } or run inside a Buntime app (BUNTIME_URL)",
        "KV_CONFIG",
        0,
      );
    if (!token)
      throw new KvError(
        "no app token: pass { token } or run inside a Buntime app (BUNTIME_APP_TOKEN)",
        "KV_CONFIG",
        0,
      );
    this.#root = `${url.replace(/\/+$/, "")}${connection.base ?? "/storage"}/api${path}`;
    this.#token = token;
    this.#fetch = connection.fetch ?? globalThis.fetch;
  }

  /** Sends a request; `accept` lists statuses that are answers, not failures. */
  async request(path: string, init: RequestInit = {}, accept: readonly number[] = []): Promise<Response> {
    const response = await this.#fetch(`${this.#root}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
    });
    if (response.ok || accept.includes(response.status)) return response;
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    throw new KvError(
      body?.error?.message ?? `storage answered ${response.status}`,
      body?.error?.code ?? "KV_HTTP",
      response.status,
    );
  }

  /** JSON of a request's answer. */
  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await this.request(path, init)).json() as Promise<T>;
  }
}

/** A key as a path segment list: each part encoded, `/` kept. */
export const keyPath = (key: string) => key.split("/").map(encodeURIComponent).join("/");
