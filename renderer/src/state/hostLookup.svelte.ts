import type { Api, HostLookup } from '../../../preload/contract';

/** The "host in every capture" dialog: an address, then where the project has seen it. */
export class HostLookupState {
  open = $state(false);
  /** the address as typed */
  host = $state('');
  result = $state.raw<HostLookup | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  /** answers to older questions are dropped */
  private asked = 0;

  constructor(private readonly api: Api) {}

  /** Opens the dialog; with an address, looks it up at once. */
  show(host?: string) {
    this.open = true;
    if (host !== undefined) {
      this.host = host;
      void this.find();
    }
  }

  close() {
    this.open = false;
  }

  async find() {
    const host = this.host.trim();
    if (!host) return;
    const asked = ++this.asked;
    this.loading = true;
    this.error = null;
    try {
      const result = await this.api.findHost({ host });
      if (asked !== this.asked) return;
      this.result = result;
    } catch (err) {
      if (asked !== this.asked) return;
      this.result = null;
      this.error = (err as Error).message;
    } finally {
      if (asked === this.asked) this.loading = false;
    }
  }
}
