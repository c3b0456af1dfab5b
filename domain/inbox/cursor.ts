// Keyset pagination cursors of the inbox: opaque to the browser, checked when they come back.

/** Encodes a keyset position: the sort value and the id that breaks ties. */
export function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

/** Decodes a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    return [at, id];
  } catch {
    return undefined;
  }
}
