/** Electron wiring of the menu commands: open the data folder, export the logs, about. */
import os from 'node:os';
import path from 'node:path';

import { app, type BrowserWindow, dialog, shell } from 'electron';

import type { Log } from '../core/log';
import type { Station } from '../core/station';
import { formatLogExport, type LogFile, writeFileAtomically } from './log-file';
import { type LogSection, stationLogSections } from './station-log-sections';

export interface CommandContext {
  station: () => Station | null;
  window: () => BrowserWindow | null;
  logFile: LogFile;
  log: Log;
}

export async function openDataFolder(context: CommandContext): Promise<void> {
  const problem = await shell.openPath(app.getPath('userData'));
  if (problem) context.log('warning', `could not open the data folder: ${problem}`);
}

export async function exportLogs(context: CommandContext): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const options = {
    title: 'Export logs',
    defaultPath: path.join(app.getPath('documents'), `field-ota-logs-${stamp}.txt`),
    filters: [{ name: 'Text', extensions: ['txt'] }],
  };
  const window = context.window();
  const choice = window
    ? await dialog.showSaveDialog(window, options)
    : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return;
  try {
    await writeFileAtomically(choice.filePath, await logExport(context));
    shell.showItemInFolder(choice.filePath);
  } catch (error) {
    context.log('error', `log export failed: ${String(error)}`);
    dialog.showErrorBox(
      'Export logs',
      `The logs could not be written: ${(error as Error).message}`,
    );
  }
}

async function logExport(context: CommandContext): Promise<string> {
  const station = context.station();
  let sections: LogSection[] = [];
  let mqtt = 'not running';
  if (station) {
    const status = await station.api['station.status']({});
    mqtt = `${status.mqtt.url} (${status.connectedDevices} devices connected)`;
    sections = await stationLogSections(station.api);
  }
  return formatLogExport({
    header: {
      Exported: new Date().toISOString(),
      App: app.getVersion(),
      Electron: process.versions.electron ?? '?',
      Chrome: process.versions.chrome ?? '?',
      'Operating system': `${os.type()} ${os.release()} ${os.arch()}`,
      'Data folder': app.getPath('userData'),
      'MQTT endpoint': mqtt,
    },
    sections,
    mainLog: context.logFile.read(),
  });
}

export async function showAbout(context: CommandContext): Promise<void> {
  const detail = [
    `Version ${app.getVersion()}`,
    `Electron ${process.versions.electron ?? '?'}, Chrome ${process.versions.chrome ?? '?'}, Node ${process.versions.node}`,
    `Data folder: ${app.getPath('userData')}`,
  ].join('\n');
  const window = context.window();
  const options = { type: 'info' as const, title: 'About', message: app.getName(), detail };
  if (window) await dialog.showMessageBox(window, options);
  else await dialog.showMessageBox(options);
}
