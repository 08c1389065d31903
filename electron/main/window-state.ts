import fs from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

/** Where and how big the window was, kept across restarts. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const WINDOW_STATE_FILE = 'window-state.json';
/** How much of the title bar must show on some screen for the saved position to be kept. */
const GRIP = 64;

const Size = z.number().int().min(100).max(100_000);
const Coordinate = z.number().int().min(-100_000).max(100_000);
const StoredState = z.object({
  x: Coordinate.optional(),
  y: Coordinate.optional(),
  width: Size,
  height: Size,
  maximized: z.boolean().default(false),
});

/**
 * The saved state made to fit today's screens: a window saved on a monitor that is gone is
 * centred instead, and one larger than every screen is shrunk to the largest work area.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  if (workAreas.length === 0) return state;
  const largest = workAreas.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
  const width = Math.min(state.width, largest.width);
  const height = Math.min(state.height, largest.height);
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const titleBar: Rect = { x: state.x, y: state.y, width, height: Math.min(GRIP, height) };
  const visible = workAreas.some(
    (area) =>
      overlap(titleBar, area).width >= Math.min(GRIP, width) && overlap(titleBar, area).height > 0,
  );
  return visible ? { ...fitted, x: state.x, y: state.y } : fitted;
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/** The saved state, or the default when there is none or it is unreadable (never an error). */
export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fitToDisplays(DEFAULT_WINDOW_STATE, workAreas);
  }
  const parsed = StoredState.safeParse(json);
  const state: WindowState = parsed.success ? stripUndefined(parsed.data) : DEFAULT_WINDOW_STATE;
  return fitToDisplays(state, workAreas);
}

/** Written to a temporary file and renamed: a crash mid-write leaves the previous state intact. */
export function saveWindowState(file: string, state: WindowState): void {
  const parsed = StoredState.parse(state);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(parsed)}\n`);
  fs.renameSync(temp, file);
}

function stripUndefined(state: z.output<typeof StoredState>): WindowState {
  const result: WindowState = {
    width: state.width,
    height: state.height,
    maximized: state.maximized,
  };
  if (state.x !== undefined && state.y !== undefined) {
    result.x = state.x;
    result.y = state.y;
  }
  return result;
}
