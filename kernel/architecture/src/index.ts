/**
 * @buntime/architecture: the guards `npm test` runs so the layering holds: the allowed arrows
 * between packages (an import-boundary check) and the file-size limit.
 */
export type { Role } from "./arrows.ts";
export { roleOf, SOURCE_ARROWS, TEST_ARROWS } from "./arrows.ts";
export type { Violation } from "./boundaries.ts";
export { checkBoundaries } from "./boundaries.ts";
export type { OversizedFile } from "./file-size.ts";
export { findOversizedFiles, MAX_FILE_LINES } from "./file-size.ts";
export { importsOf } from "./imports.ts";
export type { ReferenceViolation } from "./project-references.ts";
export { checkPackageFiles, checkProjectReferences } from "./project-references.ts";
export type { WorkspacePackage } from "./workspace.ts";
export { listWorkspacePackages } from "./workspace.ts";
