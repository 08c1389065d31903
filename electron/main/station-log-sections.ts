import type { ApiHandlers } from '../../shared/api/operations';

export interface LogSection {
  title: string;
  lines: string[];
}

/** The running station's part of a log export: its recent device protocol errors and cloud sync log. */
export async function stationLogSections(api: ApiHandlers): Promise<LogSection[]> {
  const protocolErrors = await api['station.protocolErrors']({ limit: 1000 });
  const cloudLog = await api['cloud.log']({ limit: 2000 }).catch(() => []);
  return [
    {
      title: 'Device protocol errors, newest first',
      lines: protocolErrors.map(
        (e) =>
          `${new Date(e.at).toISOString()} ${e.kind} ${e.deviceName ?? e.clientId ?? e.remoteAddress}: ${e.message}`,
      ),
    },
    {
      title: 'Cloud sync log',
      lines: cloudLog.map((e) => `${new Date(e.at).toISOString()} ${e.level} ${e.message}`),
    },
  ];
}
