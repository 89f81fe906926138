/**
 * `@buntime/distro/start`: what starting a built distribution needs and no more. It loads
 * neither the builder (Helm, Docker, images) nor the lock resolver, so a start does not pay for
 * loading them; everything here is also exported by `@buntime/distro`.
 */
export { BUILD_FILES } from "./build/layout.ts";
export type { ServeBuiltOptions } from "./serve.ts";
export { serveBuiltDistribution } from "./serve.ts";
export type { VerifiedBuild } from "./verify/verify-build.ts";
export { verifyBuild } from "./verify/verify-build.ts";
