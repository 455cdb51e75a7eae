/** How long the event stream may be down before the status bar says so. */
export const CONNECTION_GRACE_MS = 1500;

/**
 * The web host's event stream, as the status bar says it: 'up'; 'down' once it has been lost for
 * a moment (the transport reconnects); 'back' after it reconnects from any loss, because events
 * sent meanwhile never reached the page (Reload catches up). Electron's window has no stream to
 * lose and stays 'up'.
 */
export class ConnectionState {
  state = $state<'up' | 'down' | 'back'>('up');
  private lost = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private everUp = false;

  onChange(up: boolean) {
    if (up) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.lost) this.state = 'back';
      this.lost = false;
      this.everUp = true;
      return;
    }
    // never connected: the start's own error says why
    if (!this.everUp || this.lost) return;
    this.lost = true;
    // a reconnect within a moment is not worth an alarm (it still says events may be missing)
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.lost) this.state = 'down';
    }, CONNECTION_GRACE_MS);
  }

  dismiss() {
    this.state = 'up';
  }
}
