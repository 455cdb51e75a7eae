const KEY = 'mindflow.hiddenColumns';

/** The part of localStorage used here (absent in the unit tests' Node). */
interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const browserStorage = (globalThis as { localStorage?: KeyValueStore }).localStorage ?? null;

/** What was stored, if it is what we store: schema version -> hidden column names. */
export function parseHiddenColumns(stored: string | null): Record<string, string[]> {
  if (!stored) return {};
  try {
    const raw = JSON.parse(stored) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const out: Record<string, string[]> = {};
    for (const [schema, names] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(names)) out[schema] = names.filter((n): n is string => typeof n === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(n));
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * The flow table's hidden columns, one choice per schema version (a v2 capture's 43 columns are
 * not a v1 capture's 12), shared by every Explore tab and kept across restarts.
 */
export class ColumnPrefs {
  private hidden = $state.raw<Record<string, string[]>>({});

  constructor(private readonly storage: KeyValueStore | null = browserStorage) {
    this.hidden = parseHiddenColumns(this.storage?.getItem(KEY) ?? null);
  }

  hiddenFor(schema: string): readonly string[] {
    return this.hidden[schema] ?? [];
  }

  setHidden(schema: string, names: readonly string[]) {
    this.hidden = { ...this.hidden, [schema]: [...new Set(names)] };
    this.storage?.setItem(KEY, JSON.stringify(this.hidden));
  }
}
