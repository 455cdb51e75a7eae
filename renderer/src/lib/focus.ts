import { tick } from 'svelte';

/**
 * Remembers what has focus now (call it when a dialog, menu or palette opens) and returns a
 * function that gives focus back there, if that element is still on the page.
 */
export function rememberFocus(): () => void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return () => {
    if (opener?.isConnected) opener.focus();
  };
}

/** Focuses the element with this id once the pending state changes are on the page. */
export async function focusByIdAfterUpdate(id: string): Promise<void> {
  await tick();
  document.getElementById(id)?.focus();
}
