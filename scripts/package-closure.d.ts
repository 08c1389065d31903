/** The built entry points the packaged app loads: main, and the preload bundle. */
export function entryPoints(pkg: { main: string }): string[];
/** Files reachable by require from the entries, packages required by name, dead requests. */
export function requireClosure(
  root: string,
  entries: string[],
): {
  files: string[];
  packages: Map<string, string>;
  unresolved: { from: string; request: string }[];
};
/** The built app's require closure against package.json's `build.files` and dependencies. */
export function checkPackageClosure(
  root: string,
  pkg: { main: string; dependencies?: Record<string, string>; build: { files: string[] } },
  patterns?: string[],
): {
  files: string[];
  packages: string[];
  notPacked: string[];
  notProduction: { name: string; from: string }[];
  unresolved: { from: string; request: string }[];
};
