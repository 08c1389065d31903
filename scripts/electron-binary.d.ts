/** Path of the installed Electron binary, or null when it isn't installed (never downloads). */
export function electronBinary(): string | null;
/** Version of the installed electron package, or null. */
export function electronVersion(): string | null;
/** The project's root folder. */
export const root: string;
