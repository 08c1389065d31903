/** Where the station and the desktop shell write what the technician's log file should hold. */
export type LogLevel = 'info' | 'warning' | 'error';
export type Log = (level: LogLevel, message: string) => void;
