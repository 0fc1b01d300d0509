/**
 * The known name that an unknown one was most likely meant to be, or null when none is close:
 * the same letters whatever their case and `_ - .` and spaces (`dry_run` → `dryRun`,
 * `hashUserIDs` → `hashUserIds`), else the nearest by edit distance within about a quarter of its
 * length (`schedual` → `schedule`).
 */
export function closestName(name: string, known: Iterable<string>): string | null {
  const plain = (text: string) => text.toLowerCase().replace(/[\s_.-]+/g, "");
  const wanted = plain(name);
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(wanted.length / 4)) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, plain(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (`fromat`). */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      row.push(value);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}
