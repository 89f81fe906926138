import { createPrivateKey, type KeyObject } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** Where the registry's signing key comes from when it is kept in a file. */
export interface SigningKeyFile {
  /** A PEM file (PKCS#8 or SEC1) holding an ECDSA P-256 private key. */
  path: string;
  /**
   * Create the file when it is missing (mode 0600 in a folder made 0700). False for a key the
   * operator gave: a missing file is then an error, never a silently new key.
   */
  create: boolean;
}

function refuse(path: string, details: string, cause?: unknown): never {
  throw new BuntimeError("BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID", { path, details }, { cause });
}

/**
 * Reads the registry's signing key from `file`, creating it from `initialPem` when allowed and
 * missing. Refuses a file that group or others may read or write (the key signs every version),
 * one another user owns, one that is not an ECDSA P-256 private key, and a missing file that may
 * not be created; each with `BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID` naming the file.
 */
export function loadSigningKeyFile(file: SigningKeyFile, initialPem: () => string): KeyObject {
  const { path } = file;
  if (!existsSync(path)) {
    if (!file.create) refuse(path, "no such file");
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    chmodSync(dirname(path), 0o700);
    // "wx": of two registries starting on one folder, the second reads the first one's key
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, initialPem());
      closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") refuse(path, "could not be written", error);
    }
  }
  const stats = statSync(path);
  const mode = stats.mode & 0o777;
  if (mode & 0o077) {
    refuse(path, `group or others may access it (mode ${mode.toString(8).padStart(4, "0")}); chmod 600 it`);
  }
  // another user's file: whoever owns it may read or replace the key
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    refuse(path, `it belongs to uid ${stats.uid}, not to the registry's user (uid ${uid}); chown it`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path, "utf8"));
  } catch (error) {
    return refuse(path, "not a PEM private key", error);
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    refuse(path, "not an ECDSA P-256 key (npm's registry signatures need one)");
  }
  return key;
}
