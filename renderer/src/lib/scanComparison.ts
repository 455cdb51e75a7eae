import type { ScanSummary } from '../../../preload/contract';

export interface ComparedScan {
  scan: ScanSummary;
  /** F1 per class of `ScanComparison.classes`; null where the scan has no metrics or lacks the class */
  f1: (number | null)[];
}

export interface ScanComparison {
  /** every class any scan's metrics name, in the order the scans (newest first) name them */
  classes: string[];
  rows: ComparedScan[];
  /** the best value of each column among scans with metrics (null when none has them, or all tie) */
  best: { accuracy: number | null; macroF1: number | null; weightedF1: number | null; f1: (number | null)[] };
  /** the scans measured against labels: comparing needs two of them */
  measured: number;
}

/** The highest value, or null when there is none or all are equal (nothing stands out). */
const maxOf = (xs: (number | null | undefined)[]): number | null => {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!ok.length) return null;
  const top = Math.max(...ok);
  return ok.length > 1 && ok.every((x) => x === top) ? null : top;
};

/**
 * The scans of one capture side by side (newest first): overall and per-class scores against
 * the capture's labels, to see which model or threshold does better on the same flows.
 */
export function compareScans(scans: ScanSummary[]): ScanComparison {
  const ordered = [...scans].sort((a, b) => b.id - a.id);
  const classes: string[] = [];
  for (const s of ordered) for (const c of s.metrics?.perClass ?? []) if (!classes.includes(c.name)) classes.push(c.name);
  const rows = ordered.map((scan) => {
    const m = scan.metrics;
    // a class neither in the labels nor predicted has no F1 (macro F1 leaves it out too)
    const counted = new Map((m?.perClass ?? []).map((c, i) => [c.name, c.support > 0 || m!.confusion.some((row) => (row[i] ?? 0) > 0) ? c.f1 : null]));
    return { scan, f1: classes.map((name) => counted.get(name) ?? null) };
  });
  return {
    classes,
    rows,
    best: {
      accuracy: maxOf(rows.map((r) => r.scan.metrics?.accuracy)),
      macroF1: maxOf(rows.map((r) => r.scan.metrics?.macroF1)),
      weightedF1: maxOf(rows.map((r) => r.scan.metrics?.weightedF1)),
      f1: classes.map((_, i) => maxOf(rows.map((r) => r.f1[i]))),
    },
    measured: rows.filter((r) => r.scan.metrics).length,
  };
}
