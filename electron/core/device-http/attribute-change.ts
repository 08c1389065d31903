/**
 * Shared-attribute changes pushed in one go, merged into the one answer a long poll gives. An
 * assignment deletes `fw_tag`/`fw_url` and sets the new values in two pushes; ThingsBoard's
 * poll returns the first and loses the second, so a device polling for updates learns that
 * something was deleted and never what it should install. Merged, it gets both.
 */
export type AttributeChange = Record<string, unknown> & { deleted?: string[] };

/** Applies `next` (a flat change or `{"deleted":[...]}`) after `base`; the later word wins. */
export function mergeAttributeChange(base: AttributeChange, next: unknown): AttributeChange {
  if (typeof next !== 'object' || next === null || Array.isArray(next)) return base;
  const merged: AttributeChange = { ...base };
  let deleted = [...(base.deleted ?? [])];
  for (const [key, value] of Object.entries(next)) {
    if (key === 'deleted' && Array.isArray(value)) {
      for (const name of value) {
        if (typeof name !== 'string') continue;
        delete merged[name];
        if (!deleted.includes(name)) deleted.push(name);
      }
    } else {
      merged[key] = value;
      deleted = deleted.filter((name) => name !== key);
    }
  }
  if (deleted.length > 0) merged.deleted = deleted;
  else delete merged.deleted;
  return merged;
}
