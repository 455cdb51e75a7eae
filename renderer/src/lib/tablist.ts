/**
 * The keys of a tab list (the WAI-ARIA tabs pattern): Left / Right go to the previous / next
 * tab, wrapping around, Home and End to the first and last. Returns the index of the tab to
 * select and focus, or null for a key the tab list leaves alone.
 */
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index + count - 1) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
