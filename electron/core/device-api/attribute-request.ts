import { isPlainObject } from './telemetry-payload';

export interface AttributeRequest {
  /** undefined = the group was not asked for; all = every attribute of it. */
  clientKeys: string[] | 'all' | undefined;
  sharedKeys: string[] | 'all' | undefined;
}

/**
 * `{"clientKeys":"a,b","sharedKeys":"fw_title,fw_version"}`; either may be missing; `{}` asks
 * for everything. Keys are comma-separated strings (arrays are accepted too, leniently).
 */
export function parseAttributeRequest(json: unknown): AttributeRequest | undefined {
  if (!isPlainObject(json)) return undefined;
  const { clientKeys, sharedKeys } = json;
  if (clientKeys === undefined && sharedKeys === undefined)
    return { clientKeys: 'all', sharedKeys: 'all' };
  const client = parseKeys(clientKeys);
  const shared = parseKeys(sharedKeys);
  if (client === null || shared === null) return undefined;
  return { clientKeys: client, sharedKeys: shared };
}

function parseKeys(value: unknown): string[] | undefined | null {
  if (value === undefined) return undefined;
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (parts === null || !parts.every((p) => typeof p === 'string')) return null;
  return parts.map((p: string) => p.trim()).filter((p) => p.length > 0);
}
