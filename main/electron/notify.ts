/**
 * A long job (an import, a training run, a scan, an export) that ends while the analyst works in
 * another program says so in a system notification; a click brings the window back, where the
 * Jobs panel has the details. While a MindFlow window has focus the window itself says it.
 */
import { BrowserWindow, Notification } from 'electron';
import type { JobFinished } from '../../preload/contract.ts';
import type { Session } from '../core/session.ts';

export function notifyWhenAway(session: Session): void {
  session.subscribe((event, payload) => {
    if (event !== 'job:finished' || BrowserWindow.getFocusedWindow() || !Notification.isSupported()) return;
    const f = payload as JobFinished;
    const notification = new Notification({
      title: f.cancelled ? 'MindFlow: job cancelled' : f.ok ? 'MindFlow: job finished' : 'MindFlow: job failed',
      body: f.ok || f.cancelled ? f.label : `${f.label}: ${f.error ?? 'failed'}`,
    });
    notification.on('click', () => {
      const win = BrowserWindow.getAllWindows()[0];
      if (!win) return;
      if (win.isMinimized()) win.restore();
      win.focus();
    });
    notification.show();
  });
}
