/**
 * A package's readme as HTML that runs nothing. The readme comes from whoever published the
 * package, so it is hostile input: markdown-it renders it with raw HTML off (every `<script>`,
 * `<img onerror>` or `<iframe>` in it is shown as text) and with its link check, which refuses
 * `javascript:`, `vbscript:`, `file:` and `data:` (but images) URLs in links and images. The page
 * adds a Content-Security-Policy without inline scripts, so a mistake here still runs nothing.
 */
import MarkdownIt from "markdown-it";

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));

// links leave the marketplace's frame in a new tab, without giving that page a handle on ours
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const href = token?.attrGet("href") ?? "";
  if (token && /^[a-z][a-z0-9+.-]*:/i.test(href)) {
    token.attrSet("target", "_blank");
    token.attrSet("rel", "noopener noreferrer nofollow");
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Readmes longer than this are cut (with a note): a page is not a place for megabytes of text. */
export const README_LIMIT = 200_000;

/** The readme rendered as safe HTML; an empty or missing one renders as a short note. */
export function renderReadme(readme: string | null | undefined): string {
  if (!readme?.trim()) return "<p><em>This package has no readme.</em></p>";
  const cut = readme.length > README_LIMIT;
  const body = markdown.render(cut ? readme.slice(0, README_LIMIT) : readme);
  return cut ? `${body}<p><em>The readme is cut at ${README_LIMIT} characters.</em></p>` : body;
}
