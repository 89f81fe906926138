/** Entries for tarballs built in tests, and the gzipped tarball of them. */
import { type TarInput, writeTar } from "@buntime/supply";

export const bytes = (text: string) => new TextEncoder().encode(text);

export const tgz = (entries: TarInput[]) => Bun.gzipSync(writeTar(entries) as Uint8Array<ArrayBuffer>);

export const file = (path: string, text = "x"): TarInput => ({ path, data: bytes(text), mode: 0o644 });

export const folder = (path: string): TarInput => ({
  path,
  data: new Uint8Array(0),
  mode: 0o755,
  type: "directory",
});
