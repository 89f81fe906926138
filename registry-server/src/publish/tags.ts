import { BuntimeError } from "@buntime/sdk";
import semver from "semver";

/** Refuses a dist-tag name npm would misread as a version or range. */
export function assertTagName(tag: string): void {
  if (!/^[A-Za-z][\w.-]{0,63}$/.test(tag)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_TAG_INVALID", {
      tag,
      details: "a tag starts with a letter and holds letters, digits, '.', '_' or '-'",
    });
  }
  if (semver.validRange(tag) !== null) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_TAG_INVALID", {
      tag,
      details: "a tag must not be a semver range",
    });
  }
}
