/**
 * Builds the counter app: `bun shell/examples/counter-jsx/build.ts [outdir]` bundles
 * `src/app.tsx` (Hono's JSX for the DOM) into `public/app.js` with `Bun.build`.
 */
import { join } from "node:path";

/** Bundles the app into `outdir` (default: its `public` folder). */
export async function buildCounter(outdir = join(import.meta.dir, "public")): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, "src", "app.tsx")],
    outdir,
    naming: "app.js",
    target: "browser",
    minify: true,
  });
  if (!result.success) throw new Error(result.logs.map((log) => log.message).join("; "));
}

if (import.meta.main) await buildCounter(process.argv[2]);
