import { basename } from "node:path";

/** What makes a packed file look like a secret, by its name. */
const SECRET_NAMES: readonly { test: RegExp; why: string }[] = [
  { test: /^\.env(\..*)?$/i, why: "an environment file (often holds secrets)" },
  { test: /\.pem$/i, why: "a PEM key or certificate" },
  { test: /\.key$/i, why: "a key file" },
  { test: /^id_(rsa|dsa|ecdsa|ed25519)(\..*)?$/i, why: "an SSH key" },
  { test: /\.(p12|pfx)$/i, why: "a PKCS#12 key store" },
];

/**
 * Warnings about packed files that should rarely be published: files that look like secrets
 * (`.env*`, `*.pem`, `*.key`, `id_rsa*`, `*.p12`) and source maps (they carry the original
 * source). `.npmrc` is never packed at all (npm's rules). Each warning is one line naming the file and why; packing goes on, the
 * author decides (add the file to `.npmignore` or leave it out of `files`).
 *
 * @example
 * packWarnings(["index.ts", ".env"]);
 * // ['.env is packed: an environment file (often holds secrets)']
 */
export function packWarnings(files: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const path of files) {
    const name = basename(path);
    const secret = SECRET_NAMES.find((rule) => rule.test.test(name));
    if (secret) warnings.push(`${path} is packed: ${secret.why}`);
    else if (/\.map$/i.test(name)) warnings.push(`${path} is packed: a source map (it carries your source)`);
  }
  return warnings;
}
