import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openDataFolder(): void;
  exportLogs(): void;
  showAbout(): void;
}

export const OPEN_DATA_FOLDER_LABEL = 'Open Data Folder';
export const EXPORT_LOGS_LABEL = 'Export Logs…';

/**
 * The application menu: the platform's usual items (roles, so accelerators and translations
 * are the OS's own) plus the station's two commands. Reload and DevTools only when running
 * from the sources: in the field a reload is just a way to lose a form.
 */
export function applicationMenuTemplate(
  platform: NodeJS.Platform,
  appName: string,
  actions: MenuActions,
  development: boolean,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const stationItems: MenuItemConstructorOptions[] = [
    { label: OPEN_DATA_FOLDER_LABEL, click: () => actions.openDataFolder() },
    { label: EXPORT_LOGS_LABEL, click: () => actions.exportLogs() },
  ];
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        ...stationItems,
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...(development
          ? ([
              { role: 'reload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] satisfies MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Window',
      submenu: isMac
        ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
        : [{ role: 'minimize' }, { role: 'close' }],
    },
    {
      role: 'help',
      submenu: [
        ...stationItems,
        ...(isMac
          ? []
          : ([
              { type: 'separator' },
              { label: `About ${appName}`, click: () => actions.showAbout() },
            ] satisfies MenuItemConstructorOptions[])),
      ],
    },
  );
  return template;
}
