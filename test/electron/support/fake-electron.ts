/**
 * A stand-in for the `electron` module with just the surface electron/main uses, recording what
 * main does with it. The Electron binary can't run here, so this is how the compiled main.js's
 * wiring (order of start-up, paths, handlers, shutdown) is exercised under Node; everything
 * behind it (the station, SQLite, MQTT, the files served) is real.
 */
import { EventEmitter } from 'node:events';

import type { IpcInvokeEvent } from '../../../electron/main/ipc-binding';

type Listener = (...args: never[]) => unknown;
type AnyFunction = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  url = '';

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  reload(): void {}
  getType(): string {
    return 'window';
  }
  /** Emits a navigation-like event as Electron 42 does: an event object carrying the url. */
  attempt(eventName: string, url: string): boolean {
    let prevented = false;
    this.emit(eventName, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  destroyed = false;
  maximized = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
    fake.app.emit('web-contents-created', {}, this.webContents);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all.filter((w) => !w.destroyed);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.url = url;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1200, height: 800 };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFocused(): boolean {
    return true;
  }
  isMinimized(): boolean {
    return false;
  }
  setBackgroundColor(): void {}
  show(): void {}
  focus(): void {}
  restore(): void {}
  /** As closing it: 'close' (bounds saved), then 'closed'. */
  close(): void {
    this.emit('close', { preventDefault: () => undefined });
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    if (FakeBrowserWindow.getAllWindows().length === 0) fake.app.emit('window-all-closed');
  }
}

class FakeApp extends EventEmitter {
  readonly paths = new Map<string, string>([['documents', '/tmp']]);
  readonly calls: string[] = [];
  isPackaged = false;
  quitRequests = 0;
  exitCode: number | null = null;
  /** Set once a quit went through (not prevented by a before-quit listener). */
  quitted = false;
  private resolveReady: () => void = () => undefined;
  private readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));

  setPath(name: string, value: string): void {
    this.calls.push(`setPath ${name}`);
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    const value = this.paths.get(name);
    if (!value) throw new Error(`no path ${name}`);
    return value;
  }
  getName(): string {
    return 'ServicePleX Field OTA';
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  setAppUserModelId(): void {}
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return true;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  becomeReady(): void {
    this.calls.push('ready');
    this.resolveReady();
  }
  quit(): void {
    this.quitRequests++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
  exit(code: number): void {
    this.exitCode = code;
  }
}

class FakeSession extends EventEmitter {
  readonly handlers = new Map<string, AnyFunction>();
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
      this.handlers.set(`protocol:${scheme}`, handler as AnyFunction);
    },
  };
  readonly webRequest = {
    onBeforeRequest: (handler: AnyFunction) => this.handlers.set('onBeforeRequest', handler),
    onHeadersReceived: (handler: AnyFunction) => this.handlers.set('onHeadersReceived', handler),
  };
  setPermissionRequestHandler(handler: AnyFunction): void {
    this.handlers.set('permissionRequest', handler);
  }
  setPermissionCheckHandler(handler: AnyFunction): void {
    this.handlers.set('permissionCheck', handler);
  }
  setDevicePermissionHandler(handler: AnyFunction): void {
    this.handlers.set('devicePermission', handler);
  }
}

class FakeIpcMain {
  readonly handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** As a renderer's ipcRenderer.invoke from the given web contents and frame url. */
  async invoke(from: FakeWebContents, frameUrl: string, channel: string, ...args: unknown[]) {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const event: IpcInvokeEvent = { sender: from, senderFrame: { url: frameUrl, parent: null } };
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

const nativeTheme = Object.assign(new EventEmitter(), {
  shouldUseDarkColors: false,
  themeSource: 'light' as string,
});

export const fake = {
  app: new FakeApp(),
  BrowserWindow: FakeBrowserWindow,
  session: { defaultSession: new FakeSession() },
  ipcMain: new FakeIpcMain(),
  nativeTheme,
  schemes: [] as unknown[],
  menu: null as unknown,
  errorBoxes: [] as string[],
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      fake.app.calls.push('registerSchemesAsPrivileged');
      fake.schemes.push(...schemes);
    },
  },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] },
  Menu: {
    buildFromTemplate: (template: unknown) => template,
    setApplicationMenu: (menu: unknown) => {
      fake.menu = menu;
    },
  },
  safeStorage: {
    isEncryptionAvailable: () => false,
    encryptString: () => Buffer.alloc(0),
    decryptString: () => '',
    getSelectedStorageBackend: () => 'basic_text',
  },
  dialog: {
    showErrorBox: (title: string, message: string) => fake.errorBoxes.push(`${title}: ${message}`),
    showSaveDialog: async () => ({ canceled: true }),
    showMessageBox: async () => ({ response: 0 }),
  },
  shell: {
    openExternal: async () => undefined,
    openPath: async () => '',
    showItemInFolder: () => undefined,
  },
  Notification: Object.assign(class {}, { isSupported: () => false }),
};

export type FakeElectron = typeof fake;
export type { Listener };
