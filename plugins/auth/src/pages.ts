/**
 * The frame of auth's own HTML pages (sign-in, first admin, "sign in to see this"): one small
 * page with inline styles, so they work without the shell or any other plugin's assets.
 */

/** `text` safe inside HTML text and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The alert line of a refused form, or nothing. */
export function errorLine(error: string | undefined): string {
  return error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : "";
}

/** A whole page titled `title` (escaped) around `body` (already HTML). */
export function authPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Buntime</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem;color-scheme:light dark}
label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;box-sizing:border-box}
.error{color:#d03040}.setup{padding:.6rem .8rem;border:1px solid #8886;border-radius:.4rem}
.hint{font-size:.9em;opacity:.8}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

/** `path` with `next` as its query, for links and form actions that must keep where the user was going. */
export function withNext(path: string, next: string): string {
  return next === "/" ? path : `${path}?next=${encodeURIComponent(next)}`;
}
