/** Counts and lists as the core's messages write them (refusals, notes, the audit trail). */

/** "1 verdict", "6,453 flagged windows" */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c"; past `max` items, "a, b, c and 4 more" */
export function nameList(items: string[], max = 3): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}
