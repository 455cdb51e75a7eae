import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventNames } from '../../preload/contract.ts';
import { APP_MENU } from '../../preload/menu.ts';

describe("the desktop app's menu", () => {
  it('names only commands the palette has (the renderer runs them by id)', () => {
    const source = readFileSync(new URL('../../renderer/src/state/workbench.svelte.ts', import.meta.url), 'utf8');
    const ids = APP_MENU.flatMap((s) => s.entries).flatMap((e) => (typeof e === 'object' && 'commandId' in e ? [e.commandId] : []));
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(source, `menu command ${id}`).toContain(`id: '${id}'`);
    expect(eventNames).toContain('menu:command');
  });
});
