import { expect } from "bun:test";
import type { RegistryStorage } from "@buntime/registry-server";
import { call, signUp } from "./registry.ts";
import { packageTgz, publishBody } from "./tarball.ts";

/** A registry node as the catalog scenario sees it: its URL and its `listVersions` calls so far. */
export interface CatalogNode {
  base: string;
  listVersionsCalls(): number;
}

/** `storage` with its metadata's `listVersions` calls counted. */
export function countListVersions(storage: RegistryStorage): {
  storage: RegistryStorage;
  listVersionsCalls(): number;
} {
  let calls = 0;
  const { metadata } = storage;
  return {
    storage: {
      blobs: storage.blobs,
      metadata: {
        ...metadata,
        listVersions(name) {
          calls += 1;
          return metadata.listVersions(name);
        },
      },
    },
    listVersionsCalls: () => calls,
  };
}

/**
 * Writes through `writer` every change the search and the marketplace show (publish, new
 * version, deprecation, dist-tag, owners, unpublish of a version and of a package, downloads)
 * and checks after each one that every node in `readers` shows it at once, while reading the
 * versions only of the package that changed.
 */
export async function expectCatalogFollowsWrites(writer: string, readers: CatalogNode[]): Promise<void> {
  const word = `cat${Math.random().toString(36).slice(2, 10)}`;
  const [alpha, beta] = [`${word}-alpha`, `${word}-beta`];
  const owner = `${word}-owner`;
  const friend = `${word}-friend`;
  const token = await signUp(writer, owner);
  await signUp(writer, friend);
  const category = `Cat ${word}`;
  const plugin = { buntime: { kernel: ">=1.0.0" }, keywords: [word], categories: [category] };
  const publish = async (name: string, version: string) => {
    const body = publishBody(name, version, packageTgz(name, version, { description: `${name}`, ...plugin }));
    expect((await call(writer, "PUT", `/${name}`, { token, body })).status).toBe(201);
  };

  const search = async (node: CatalogNode, text = word) => {
    const res = await call(node.base, "GET", `/-/v1/search?text=${encodeURIComponent(text)}&size=250`);
    expect(res.status).toBe(200);
    return (res.body.objects as { package: { name: string; version: string } }[])
      .map((o) => `${o.package.name}@${o.package.version}`)
      .sort();
  };
  const plugins = async (node: CatalogNode) => {
    const res = await call(node.base, "GET", `/-/marketplace/plugins?q=${word}&sort=name`);
    expect(res.status).toBe(200);
    return (res.body.plugins as { name: string; version: string; deprecated: string | null }[]).map(
      (p) => `${p.name}@${p.version}${p.deprecated ? ` (${p.deprecated})` : ""}`,
    );
  };
  const categoryCount = async (node: CatalogNode) => {
    const res = await call(node.base, "GET", "/-/marketplace/categories");
    return (res.body.categories as { name: string; plugins: number }[]).find((c) => c.name === category)
      ?.plugins;
  };
  const profile = async (node: CatalogNode) => {
    const res = await call(node.base, "GET", `/-/marketplace/publishers/${owner}`);
    return (res.body.plugins as { name: string }[]).map((p) => p.name).sort();
  };

  const readAll = async (node: CatalogNode) => {
    await search(node);
    await plugins(node);
    await categoryCount(node);
    await profile(node);
  };
  /**
   * Runs `check` on every reader; with every list read once more, that reloads `reloads`
   * packages (npm search reads none: it is answered in SQL), and reading them all again none.
   */
  const everyReader = async (reloads: number, check: (node: CatalogNode) => Promise<void>) => {
    for (const node of readers) {
      const before = node.listVersionsCalls();
      await check(node);
      await readAll(node);
      expect(node.listVersionsCalls() - before).toBe(reloads);
      const after = node.listVersionsCalls();
      await readAll(node);
      expect(node.listVersionsCalls()).toBe(after);
    }
  };

  await publish(alpha, "1.0.0");
  await publish(beta, "1.0.0");
  // first read on a node: both new packages are read (and any other package it had not seen)
  for (const node of readers) {
    expect(await search(node)).toEqual([`${alpha}@1.0.0`, `${beta}@1.0.0`]);
    expect(await plugins(node)).toEqual([`${alpha}@1.0.0`, `${beta}@1.0.0`]);
    expect(await categoryCount(node)).toBe(2);
    expect(await profile(node)).toEqual([alpha, beta]);
  }
  await everyReader(0, async (node) => {
    expect(await search(node)).toEqual([`${alpha}@1.0.0`, `${beta}@1.0.0`]);
  });

  await publish(alpha, "1.1.0");
  await everyReader(1, async (node) => {
    expect(await search(node)).toEqual([`${alpha}@1.1.0`, `${beta}@1.0.0`]);
    expect(await plugins(node)).toEqual([`${alpha}@1.1.0`, `${beta}@1.0.0`]);
  });

  const deprecate = { name: alpha, versions: { "1.0.0": {}, "1.1.0": { deprecated: "use beta" } } };
  expect((await call(writer, "PUT", `/${alpha}`, { token, body: deprecate })).status).toBe(200);
  await everyReader(1, async (node) => {
    expect(await plugins(node)).toEqual([`${alpha}@1.1.0 (use beta)`, `${beta}@1.0.0`]);
  });

  const tag = await call(writer, "PUT", `/-/package/${alpha}/dist-tags/latest`, { token, body: "1.0.0" });
  expect(tag.status).toBe(201);
  await everyReader(1, async (node) => {
    expect(await search(node)).toEqual([`${alpha}@1.0.0`, `${beta}@1.0.0`]);
    expect(await plugins(node)).toEqual([`${alpha}@1.0.0`, `${beta}@1.0.0`]);
  });

  const owners = { name: alpha, maintainers: [{ name: owner }, { name: friend }] };
  expect((await call(writer, "PUT", `/${alpha}`, { token, body: owners })).status).toBe(200);
  await everyReader(1, async (node) => {
    expect(await search(node, `${word} maintainer:${friend}`)).toEqual([`${alpha}@1.0.0`]);
  });

  // unpublishing 1.0.0 drops its tags; latest moves back to 1.1.0
  const keep = { name: alpha, versions: { "1.1.0": { deprecated: "use beta" } } };
  expect((await call(writer, "PUT", `/${alpha}/-rev/1`, { token, body: keep })).status).toBe(200);
  await everyReader(1, async (node) => {
    expect(await search(node)).toEqual([`${alpha}@1.1.0`, `${beta}@1.0.0`]);
    expect(await plugins(node)).toEqual([`${alpha}@1.1.0 (use beta)`, `${beta}@1.0.0`]);
  });

  expect((await call(writer, "DELETE", `/${beta}/-rev/1`, { token })).status).toBe(200);
  await everyReader(1, async (node) => {
    expect(await search(node)).toEqual([`${alpha}@1.1.0`]);
    expect(await plugins(node)).toEqual([`${alpha}@1.1.0 (use beta)`]);
    expect(await categoryCount(node)).toBe(1);
    expect(await profile(node)).toEqual([alpha]);
  });

  // downloads change on every tarball GET and are always read fresh, without reloading versions
  expect((await fetch(`${writer}/${alpha}/-/${alpha}-1.1.0.tgz`)).status).toBe(200);
  await plugins({ base: writer, listVersionsCalls: () => 0 }); // flushes the writer's counts
  await everyReader(0, async (node) => {
    const res = await call(node.base, "GET", `/-/v1/search?text=${word}`);
    expect(res.body.objects[0].downloads.total).toBe(1);
  });
}
