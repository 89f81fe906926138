import { isBuntimeError } from "@buntime/sdk";

/**
 * One of the sdk's signature checks as a yes or no: a signature, or a stored key, that does
 * not verify (`BUNTIME_ERR_SIGNATURE_*`) answers false.
 *
 * @example
 * verifies(() => verifyPublisherSignature(label, integrity, [signature], keys));
 */
export function verifies(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (isBuntimeError(error)) return false;
    throw error;
  }
}
