/** A requirement's outcome: detail says what was found, or what to do. */
export interface CheckResult {
  ok: boolean;
  detail: string;
}
interface PackageJson {
  main: string;
  description?: string;
  homepage?: string;
  author?: string | { name?: string; email?: string };
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  build: {
    files: string[];
    linux?: { maintainer?: string };
    mac?: {
      hardenedRuntime?: boolean;
      identity?: string | null;
      entitlements?: string;
      entitlementsInherit?: string;
    };
  };
}
/** Every requirement of `npm run dist`, named, in report order. */
export function requirements(
  root: string,
  pkg: PackageJson,
): [string, () => CheckResult | Promise<CheckResult>][];
/** The Node version (default: this one) against engines.node, full semver. */
export function nodeVersion(pkg: PackageJson, version?: string): CheckResult;
/** homepage, a maintainer with an email, a description: what the .deb target needs. */
export function debMetadata(pkg: PackageJson): CheckResult;
/** The macOS entitlements the signing mode (from env and build.mac) needs. */
export function macEntitlements(
  root: string,
  pkg: PackageJson,
  env?: Record<string, string | undefined>,
): CheckResult;
/** One HEAD request with a deadline. */
export function reachable(url: string, timeoutMs?: number): Promise<CheckResult>;
