/**
 * The shell page's script. The shell owns the browser's history: a menu click or a frame's
 * `navigate` is one `pushState` here, and the frame is told its new path as a prop (it updates
 * itself with `replaceState` or `location.replace`, which add no entry), so N navigations are
 * undone by N presses of Back. It also keeps frames' props (theme, density, locale, overlays)
 * current, probes a UI before framing it (sign-in, access denied, not found), and puts a
 * "reload this app" tile over a frame that stops answering.
 */
import "../frame/entry.ts";
import type { ZFrame } from "../frame/z-frame.ts";
import { type Appearance, currentAppearance, watchAppearance } from "./appearance.ts";
import { followMenu, type MenuEntry, markCurrent, renderMenu, segmentOf } from "./menu.ts";
import { confirm, showTile, toast } from "./overlays.ts";
import { isShellView, leaveShellView, showShellView } from "./views.ts";

interface ShellData {
  menu: MenuEntry[];
  loginPath: string;
  auth: boolean;
}

const PROBE_TIMEOUT_MS = 10_000;
const main = document.getElementById("main") as HTMLElement;
const data = JSON.parse(document.getElementById("shell-data")?.textContent ?? "{}") as ShellData;
let menu = data.menu ?? [];
let appearance = currentAppearance();
let frame: ZFrame | undefined;
let frameSegment = "";
let generation = 0;
/** INIT→READY times of this page's frames, in ms (the bench reads them). */
const timings: number[] = [];
Object.assign(window, { shellTimings: timings });

function locate(pathname: string, search: string): { entry: MenuEntry; rest: string } | undefined {
  const segment = segmentOf(pathname);
  const entry = menu.find((item) => item.kind !== "shell" && segmentOf(item.path) === segment);
  return entry && segment !== ""
    ? { entry, rest: (pathname.slice(segment.length + 1) || "/") + search }
    : undefined;
}

/** Tells the shell plugin how fast a frame answered (it summarises them on the home page). */
function report(initToReady: number): void {
  const body = JSON.stringify({ initToReady: [Math.min(initToReady, 60_000)] });
  void fetch("/shell/api/timings", {
    method: "POST",
    keepalive: true,
    headers: { "content-type": "application/json" },
    body,
  }).catch(
    () => {}, // a lost figure is not worth a retry
  );
}

function applyProps(target: ZFrame): void {
  const props = target as unknown as Record<string, unknown>;
  props.theme = appearance.theme;
  props.density = appearance.density;
  props.locale = appearance.locale;
  props.tokens = appearance.tokens;
}

/** True when a same-origin frame loaded a page that does not use the frame protocol. */
function isPlainPage(target: ZFrame): boolean {
  try {
    const win = target.iframe?.contentWindow as (Window & { frameSDK?: unknown }) | null | undefined;
    return win?.document.readyState === "complete" && win.frameSDK === undefined;
  } catch {
    return false; // another origin: it should have answered
  }
}

function onNavigate(target: ZFrame, segment: string, detail: unknown): void {
  const { path, replace } = (detail ?? {}) as { path?: unknown; replace?: unknown };
  if (typeof path !== "string" || target !== frame) return;
  const full = `/${segment}${path.startsWith("/") ? path : `/${path}`}`;
  const url = URL.parse(full, location.origin);
  if (!url || url.origin !== location.origin || segmentOf(url.pathname) !== segment) return; // not its own page
  const rest = (url.pathname.slice(segment.length + 1) || "/") + url.search;
  if (url.pathname + url.search === location.pathname + location.search) return;
  if (replace === true) history.replaceState(null, "", url.pathname + url.search);
  else history.pushState(null, "", url.pathname + url.search);
  target.pathname = rest;
}

/**
 * Signed out while the shell is open (a frame's `sign-in` event: its page or API call got 401;
 * or a page that needs sign-in, probed before framing): the whole window goes to sign-in and
 * comes back to this address. Only when the shell's own session is gone too: otherwise the 401
 * is about something else, and going would bounce the user in a loop, so a tile offers it.
 * Resolves false when it stayed (the tile is up).
 */
async function signInAndBack(title: string, text: string): Promise<boolean> {
  const signIn = `${data.loginPath}?next=${encodeURIComponent(location.pathname + location.search)}`;
  const session = await fetch("/shell/api/timings", { cache: "no-store" }).then(
    (response) => response.status,
    () => 0, // no answer: offer it rather than leave
  );
  if (data.auth && session === 401) {
    location.assign(signIn);
    return true;
  }
  showTile(main, title, text, { label: "Sign in", run: signIn });
  return false;
}

function wire(target: ZFrame, entry: MenuEntry, segment: string): void {
  applyProps(target);
  target.addEventListener("sign-in", () => {
    if (target === frame)
      void signInAndBack("Sign in to use this page", "It answered that it needs a signed-in user.");
  });
  (target as unknown as Record<string, unknown>).shellUi = { toast, confirm };
  target.addEventListener("navigate", (event) => onNavigate(target, segment, (event as CustomEvent).detail));
  target.addEventListener("ready", (event) => {
    const { initToReady } = (event as CustomEvent<{ initToReady: number }>).detail;
    timings.push(initToReady);
    report(initToReady);
    main.querySelector(".tile")?.remove();
  });
  target.addEventListener("unresponsive", (event) => {
    const { reason } = (event as CustomEvent<{ reason: string }>).detail;
    if (reason === "init-timeout" && isPlainPage(target)) return; // a page without the SDK: nothing to watch
    showTile(main, `${entry.label} is not responding`, "It stopped answering the shell.", {
      label: "Reload this app",
      run: () => void openFrame(entry, segment, target.pathname, false),
    });
  });
  frame = target;
  frameSegment = segment;
  document.title = `${entry.label} · Buntime`;
}

/** Asks for the page first, so a refusal shows as a tile rather than inside a frame. */
async function probe(
  url: string,
): Promise<
  { title: string; text: string; action?: { label: string; run: string }; signIn?: true } | undefined
> {
  try {
    const response = await fetch(url, {
      redirect: "manual",
      headers: { accept: "text/html" },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const next = encodeURIComponent(location.pathname + location.search);
    const signIn = { label: "Sign in", run: `${data.loginPath}?next=${next}` };
    if (response.status === 401 || (response.type === "opaqueredirect" && data.auth))
      return {
        title: "Sign in to open this page",
        text: "This page needs a signed-in user.",
        action: signIn,
        signIn: true,
      };
    if (response.status === 403)
      return { title: "Access denied", text: "Your account may not open this page." };
    if (response.status === 404) return { title: "Not found", text: `Nothing answers at ${url}.` };
    if (response.status >= 500) return { title: "This page failed", text: `It answered ${response.status}.` };
    return undefined;
  } catch {
    return {
      title: "This page did not answer",
      text: `No answer from ${url} within ${PROBE_TIMEOUT_MS / 1000} s.`,
    };
  }
}

async function openFrame(entry: MenuEntry, segment: string, rest: string, probeFirst = true): Promise<void> {
  const mine = ++generation;
  frame?.remove();
  frame = undefined;
  frameSegment = "";
  main.replaceChildren();
  const loading = document.createElement("p");
  loading.className = "loading";
  loading.textContent = `Opening ${entry.label}…`;
  main.append(loading);
  const refusal = probeFirst ? await probe(`/${segment}${rest}`) : undefined;
  if (mine !== generation) return; // the user went elsewhere meanwhile
  loading.remove();
  if (refusal?.signIn) {
    await signInAndBack(refusal.title, refusal.text);
    return;
  }
  if (refusal) {
    showTile(main, refusal.title, refusal.text, refusal.action);
    return;
  }
  const element = document.createElement("z-frame") as unknown as ZFrame;
  element.setAttribute("src", `/${segment}`);
  element.setAttribute("pathname", rest);
  element.setAttribute("init-timeout", "3000");
  wire(element, entry, segment);
  main.append(element);
}

async function showHome(): Promise<void> {
  const mine = ++generation;
  frame?.remove();
  frame = undefined;
  frameSegment = "";
  document.title = "Buntime";
  const response = await fetch("/shell/api/home");
  if (mine === generation && response.ok) main.innerHTML = await response.text(); // escaped by the server
}

/** Shows what the address bar says. */
function route(): void {
  const { pathname, search } = location;
  markCurrent(pathname);
  if (isShellView(pathname)) {
    frame?.remove();
    frame = undefined;
    frameSegment = "";
    generation++;
    showShellView(main, pathname);
    return;
  }
  leaveShellView();
  if (pathname === "/") {
    void showHome();
    return;
  }
  const opened = locate(pathname, search);
  if (!opened) {
    location.reload(); // not a page of the shell's: let the server answer it
    return;
  }
  const segment = segmentOf(opened.entry.path);
  if (frame && frameSegment === segment) {
    if (frame.pathname !== opened.rest) {
      frame.pathname = opened.rest;
      if (frame.isReady) frame.emit("route-change", { path: opened.rest });
    }
    return;
  }
  void openFrame(opened.entry, segment, opened.rest);
}

function onClick(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const link = (event.target as Element | null)?.closest?.("a");
  if (!link || link.target || link.origin !== location.origin) return;
  const inShell =
    link.pathname === "/" || isShellView(link.pathname) || locate(link.pathname, link.search) !== undefined;
  if (!inShell) return;
  event.preventDefault();
  if (link.pathname + link.search === location.pathname + location.search) return;
  history.pushState(null, "", link.pathname + link.search);
  route();
}

// a frame the server already put in the page (a deep link) is adopted, not recreated
const initial = main.querySelector("z-frame") as ZFrame | null;
const adopted = initial ? locate(location.pathname, location.search) : undefined;
if (initial && adopted) {
  initial.setAttribute("init-timeout", "3000");
  wire(initial, adopted.entry, segmentOf(adopted.entry.path));
}
// one of the shell's own pages: the server drew its frame, the script fills it in
if (isShellView(location.pathname)) showShellView(main, location.pathname);
document.addEventListener("click", onClick);
addEventListener("popstate", route);
watchAppearance((next: Appearance) => {
  appearance = next;
  if (frame) applyProps(frame);
});
let firstMenu = true; // the feed opens with the menu the page already shows
followMenu((entries) => {
  const first = firstMenu;
  firstMenu = false;
  if (first && JSON.stringify(entries) === JSON.stringify(menu)) return;
  menu = entries;
  renderMenu(menu, location.pathname);
  if (location.pathname === "/") void showHome();
  else if (frame && !menu.some((item) => segmentOf(item.path) === frameSegment)) {
    frame.remove();
    frame = undefined;
    showTile(main, "This page was removed", "Its plugin or app is no longer installed.", {
      label: "Home",
      run: "/",
    });
  }
});

/** The shell is interactive from here on (the bench reads this mark). */
performance.mark("buntime:shell-interactive");
