/**
 * A whole-number Worker var (a limit, a size, a delay): its value when it is set to a whole
 * number of at least `min`, `fallback` when it is unset, empty or anything else.
 */
export function wholeNumberVar(text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? value : fallback;
}
