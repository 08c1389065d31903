/**
 * Electron's IPC, reduced to what the bridge and the binding use, for tests under plain Node
 * (the Electron binary can't run here). Messages are copied with structuredClone as Electron's
 * IPC copies them, so a value that couldn't cross the real IPC can't cross this one either.
 * The station behind it is real; only the transport between two processes is simulated.
 */
import type { IpcInvokeEvent, IpcMainLike, IpcSender } from '../../../electron/main/ipc-binding';
import type { FrameLike } from '../../../electron/main/sender-check';
import type { IpcRendererLike } from '../../../electron/preload/bridge';

type Handler = (event: IpcInvokeEvent, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export const APP_PAGE = 'app://field-ota/index.html';

/** One renderer: a web contents id, the frame that sends, and what main sent to it. */
export class TestRenderer implements IpcSender {
  private readonly listeners = new Map<string, Set<RendererListener>>();
  destroyed = false;
  /** Every message main sent to this renderer, in order. */
  readonly received: { channel: string; args: unknown[] }[] = [];

  constructor(
    private readonly ipcMain: TestIpcMain,
    readonly id: number,
    public frame: FrameLike | null = { url: APP_PAGE, parent: null },
  ) {}

  send(channel: string, ...args: unknown[]): void {
    const copied = structuredClone(args);
    this.received.push({ channel, args: copied });
    for (const listener of this.listeners.get(channel) ?? []) listener({}, ...copied);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** What the preload gets as ipcRenderer in this renderer. */
  ipcRenderer(): IpcRendererLike {
    return {
      invoke: (channel, ...args) => this.ipcMain.invokeFrom(this, channel, args),
      on: (channel, listener) => {
        let set = this.listeners.get(channel);
        if (!set) this.listeners.set(channel, (set = new Set()));
        set.add(listener);
      },
      removeListener: (channel, listener) => {
        this.listeners.get(channel)?.delete(listener);
      },
    };
  }

  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

export class TestIpcMain implements IpcMainLike {
  private readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    // As Electron: a second handler for a channel is a programming error.
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  renderer(id: number, frame?: FrameLike | null): TestRenderer {
    return new TestRenderer(this, id, frame);
  }

  async invokeFrom(renderer: TestRenderer, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    // Electron rejects the invoke when nothing handles the channel.
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const event: IpcInvokeEvent = { sender: renderer, senderFrame: renderer.frame };
    const result = await handler(event, ...structuredClone(args));
    return structuredClone(result);
  }
}
