/**
 * What a signed-out page load inside a frame gets (`Sec-Fetch-Dest: iframe`): a redirect would
 * put the sign-in form inside the frame, so it gets a 401 page instead. In the shell the page
 * answers the frame protocol's INIT with READY and a `sign-in` event, and the shell takes the
 * whole window to sign-in and back; anywhere else it is a link to sign in.
 */
import { authPage, escapeHtml } from "./pages.ts";

/**
 * Answers the host's INIT (the frame protocol's wire messages, so the shell's own script need not
 * load) and asks it to sign in. Only the parent, on this origin, is answered.
 */
const ASK_HOST = `<script type="module">
addEventListener("message", (event) => {
  const port = event.ports[0];
  if (event.source !== parent || event.origin !== location.origin || event.data?.type !== "__INIT__" || !port) return;
  port.postMessage({ type: "__READY__" });
  port.postMessage({ type: "__CUSTOM_EVENT__", payload: { name: "sign-in", data: {} } });
});
</script>`;

/** The 401 page for a frame; `signIn` is the sign-in address with `next`. */
export function framePage(signIn: string): string {
  return authPage(
    "Sign in to see this page",
    `<p>This page needs a signed-in user.</p>
<p><a href="${escapeHtml(signIn)}" target="_top">Sign in</a></p>
${ASK_HOST}`,
  );
}
