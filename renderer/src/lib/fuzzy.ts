/**
 * Subsequence fuzzy match, VS Code quick-open style: every query character must appear in
 * order; consecutive runs and word starts score higher. Returns null when it does not match.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const ch of q) {
    const found = t.indexOf(ch, ti);
    if (found < 0) return null;
    run = found === ti ? run + 1 : 0;
    const wordStart = found === 0 || /[\s:/_-]/.test(t[found - 1] ?? '');
    score += 1 + run * 2 + (wordStart ? 3 : 0) - Math.min(found - ti, 5) * 0.1;
    ti = found + 1;
  }
  return score - t.length * 0.01;
}

export function fuzzyFilter<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  if (!query.trim()) return [...items];
  return items
    .map((item) => ({ item, score: fuzzyScore(query, text(item)) }))
    .filter((x): x is { item: T; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score)
    .map((x) => x.item);
}
