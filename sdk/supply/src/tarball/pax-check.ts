/**
 * Strict reading of pax extended headers. The tar library skips a record it cannot parse and
 * reads on, so two readers may see different paths in one archive (one honours the record,
 * another drops it). A package tarball with any malformed record is refused instead.
 */

/** True when meta text is a pax header rather than a GNU long path (which holds a bare path). */
export function looksLikePax(text: string): boolean {
  return /^\d/.test(text) || text.includes("\n");
}

/**
 * Why a pax extended header's records are malformed, or undefined when each is well formed:
 * `<length> <key>=<value>\n`, the decimal length counting the record's own bytes, records
 * back to back up to the end.
 */
export function paxProblem(text: string): string | undefined {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  for (let record = 1; offset < bytes.length; record += 1) {
    const space = bytes.indexOf(0x20, offset);
    const lengthText = space < 0 ? "" : bytes.subarray(offset, space).toString("latin1");
    if (!/^[1-9]\d{0,8}$/.test(lengthText)) return `pax record ${record} has no decimal length`;
    const length = Number(lengthText);
    const end = offset + length;
    if (end > bytes.length) return `pax record ${record} claims ${length} bytes, past the header's end`;
    if (bytes[end - 1] !== 0x0a)
      return `pax record ${record} is ${length} bytes but not newline-terminated there`;
    const body = bytes.subarray(space + 1, end - 1).toString("utf8");
    const equals = body.indexOf("=");
    if (equals <= 0) return `pax record ${record} has no key=value`;
    if (body.slice(0, equals).includes("\0")) return `pax record ${record} has a NUL byte in its key`;
    offset = end;
  }
  return undefined;
}
