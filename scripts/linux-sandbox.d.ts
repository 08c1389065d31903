/** Whether an Electron's stderr shows Chromium's sandbox failing to start. */
export function isSandboxFailure(output: string): boolean;
/** The chrome-sandbox path Chromium names in its message, or null. */
export function sandboxHelperIn(output: string): string | null;
/** Whether AppArmor restricts unprivileged user namespaces (the sysctl file reads 1). */
export function userNamespacesRestricted(sysctlFile?: string): boolean;
/** What to do, as lines for the terminal. */
export function sandboxAdvice(input: { helper: string | null; restricted: boolean }): string;
