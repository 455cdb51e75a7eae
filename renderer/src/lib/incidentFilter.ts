import type { Incident } from '../../../preload/contract';

export type StatusFilter = Incident['status'] | 'all';

/**
 * The incidents the side bar shows: those of the status chosen whose title, summary, analyst
 * or `#id` hold every word typed (case does not matter; `#12` and `12` both find incident 12).
 */
export function filterIncidents(list: readonly Incident[], text: string, status: StatusFilter): Incident[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return list.filter((i) => {
    if (status !== 'all' && i.status !== status) return false;
    if (!words.length) return true;
    const hay = `${i.title}\n${i.summary}\n${i.analyst}`.toLowerCase();
    return words.every((w) => hay.includes(w) || w.replace(/^#/, '') === String(i.id));
  });
}

/** How many incidents have each status (and all of them), for the status choice's labels. */
export function statusCounts(list: readonly Incident[]): Record<StatusFilter, number> {
  const counts: Record<StatusFilter, number> = { all: list.length, open: 0, contained: 0, closed: 0 };
  for (const i of list) counts[i.status] += 1;
  return counts;
}
