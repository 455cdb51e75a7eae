export type Theme = 'light' | 'dark';
const KEY = 'mindflow.theme';

/** Light/dark theme: the analyst's choice is persisted; without one we follow the OS. */
export class ThemeState {
  chosen = $state<Theme | null>(null);
  system = $state<Theme>('light');
  current = $derived<Theme>(this.chosen ?? this.system);

  constructor() {
    const stored = localStorage.getItem(KEY);
    if (stored === 'light' || stored === 'dark') this.chosen = stored;
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    this.system = media.matches ? 'dark' : 'light';
    media.addEventListener('change', (e) => (this.system = e.matches ? 'dark' : 'light'));
  }

  toggle() {
    this.chosen = this.current === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, this.chosen);
  }

  /** Writes the theme onto <html> so the CSS variables switch. */
  apply() {
    document.documentElement.dataset.theme = this.current;
    document.documentElement.style.colorScheme = this.current;
  }
}
