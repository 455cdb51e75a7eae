import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTION_GRACE_MS, ConnectionState } from '../../../renderer/src/state/connection.svelte.ts';

describe('the web host connection, as the status bar says it', () => {
  afterEach(() => vi.useRealTimers());

  it('says nothing for a blip, says a loss once it lasts, and after any loss that events may be missing', () => {
    vi.useFakeTimers();
    const c = new ConnectionState();
    // a stream that never came up: the start's own error speaks
    c.onChange(false);
    vi.advanceTimersByTime(CONNECTION_GRACE_MS * 2);
    expect(c.state).toBe('up');
    c.onChange(true);
    expect(c.state).toBe('up');

    // a blip: no alarm, but what it may have dropped is said
    c.onChange(false);
    vi.advanceTimersByTime(CONNECTION_GRACE_MS - 1);
    expect(c.state).toBe('up');
    c.onChange(true);
    expect(c.state).toBe('back');
    vi.advanceTimersByTime(CONNECTION_GRACE_MS * 2);
    expect(c.state).toBe('back');
    c.dismiss();
    expect(c.state).toBe('up');

    // the host went away: said once the grace has passed, then back
    c.onChange(false);
    vi.advanceTimersByTime(CONNECTION_GRACE_MS);
    expect(c.state).toBe('down');
    c.onChange(false); // further failed reconnects change nothing
    expect(c.state).toBe('down');
    c.onChange(true);
    expect(c.state).toBe('back');
  });
});
