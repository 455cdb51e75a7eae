import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { placeWindow, readSavedWindow, writeSavedWindow, type Rect } from '../../main/core/windowState.ts';
import { tempDir } from './helpers.ts';

const SIZES = { width: 1440, height: 900, minWidth: 960, minHeight: 600 };
const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('where the desktop window opens', () => {
  it('opens at the default size, centred, when nothing was saved; never larger than the screen', () => {
    expect(placeWindow(null, [laptop], SIZES)).toEqual({ width: 1440, height: 900, maximized: false });
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1280, height: 680 }], SIZES)).toEqual({ width: 1280, height: 680, maximized: false });
    // a screen smaller than the minimum: the minimum
    expect(placeWindow(null, [{ x: 0, y: 0, width: 800, height: 500 }], SIZES)).toEqual({ width: 960, height: 600, maximized: false });
    expect(placeWindow(null, [], SIZES)).toEqual({ width: 1440, height: 900, maximized: false });
  });

  it('opens where it was closed while its title bar is on a screen, any screen', () => {
    const saved = { bounds: { x: 2100, y: 40, width: 1600, height: 1000 }, maximized: false };
    expect(placeWindow(saved, [laptop, rightMonitor], SIZES)).toEqual({ x: 2100, y: 40, width: 1600, height: 1000, maximized: false });
    // partly off the screen's edge, still grabbable
    const hanging = { bounds: { x: 1800, y: 500, width: 1200, height: 800 }, maximized: false };
    expect(placeWindow(hanging, [laptop], SIZES)).toMatchObject({ x: 1800, y: 500 });
    // its monitor is gone: the default place, and maximised stays maximised
    expect(placeWindow({ ...saved, maximized: true }, [laptop], SIZES)).toEqual({ width: 1440, height: 900, maximized: true });
    // only a sliver of the title bar on the screen: not grabbable
    expect(placeWindow({ bounds: { x: 1900, y: 10, width: 1200, height: 800 }, maximized: false }, [laptop], SIZES)).not.toHaveProperty('x');
    // title bar above the screen's top
    expect(placeWindow({ bounds: { x: 100, y: -700, width: 1200, height: 800 }, maximized: false }, [laptop], SIZES)).not.toHaveProperty('x');
  });

  it('keeps the size between the minimum and the screen', () => {
    expect(placeWindow({ bounds: { x: 10, y: 10, width: 400, height: 300 }, maximized: false }, [laptop], SIZES)).toEqual({ x: 10, y: 10, width: 960, height: 600, maximized: false });
    expect(placeWindow({ bounds: { x: 10, y: 10, width: 5000, height: 3000 }, maximized: false }, [laptop], SIZES)).toEqual({ x: 10, y: 10, width: 1920, height: 1040, maximized: false });
  });
});

describe('the saved window file', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('round-trips, leaves no temporary file, and reads anything else as nothing saved', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'window-state.json');
    expect(readSavedWindow(file)).toBeNull();
    writeSavedWindow(file, { bounds: { x: -5, y: 20, width: 1300, height: 850 }, maximized: true });
    expect(readSavedWindow(file)).toEqual({ bounds: { x: -5, y: 20, width: 1300, height: 850 }, maximized: true });
    expect(readdirSync(dir)).toEqual(['window-state.json']);
    for (const bad of ['', '{"bounds":', 'null', '[]', '{"bounds":{"x":1,"y":2,"width":"wide","height":3}}', '{"bounds":{"x":1,"y":2,"width":0,"height":3}}']) {
      writeFileSync(file, bad);
      expect(readSavedWindow(file)).toBeNull();
    }
    writeFileSync(file, '{"bounds":{"x":1,"y":2,"width":1000,"height":700},"maximized":"yes"}');
    expect(readSavedWindow(file)).toEqual({ bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: false });
    mkdirSync(join(dir, 'folder.json'));
    expect(readSavedWindow(join(dir, 'folder.json'))).toBeNull();
  });
});
