// "Did you mean …?" for an unknown word (a config key, a CLI command): the
// nearest valid one by edit distance, offered only when it is close enough to
// be a plausible typo. The one helper for the config and the CLI.

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions,
 *  because swapped letters ("autorestrat") are the commonest typo. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/** The candidate nearest to `word`, or null when none is close. Case is ignored
 *  so that "CMD" suggests "cmd". */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  // Short words tolerate fewer edits, or every 3-letter key would match everything.
  const limit = lower.length <= 3 ? 1 : lower.length <= 6 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** `did you mean "status"?`, or null when no candidate is near `word`. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const guess = nearest(word, candidates);
  return guess === null ? null : `did you mean "${guess}"?`;
}

/** The message for an unknown key: the suggestion if any, then the valid keys. */
export function unknownKeyMessage(key: string, valid: readonly string[]): string {
  const hint = didYouMean(key, valid);
  return `unknown key "${key}"${hint === null ? '.' : `; ${hint}`} Valid keys: ${valid.join(', ')}`;
}
