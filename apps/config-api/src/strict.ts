import type { Context, ValidationTargets } from "hono";
import type { z } from "zod";
import type { App, AppEnv } from "./app";
import { ApiError } from "./errors";

/** What a route's validation hands its hook. */
type Validated = { target: keyof ValidationTargets } & (
  | { success: true }
  | { success: false; error: z.ZodError }
);

/** Lower case without `_`, `-`, `.` and spaces: `dry_run` and `DryRun` read as `dryrun`. */
const squash = (name: string) => name.toLowerCase().replace(/[\s_.-]/g, "");

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name an unknown one was most likely meant to be, if one is close. */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  const wanted = squash(unknown);
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const score = squash(name) === wanted ? 0 : distance(wanted, squash(name));
    if (score <= 2 && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}

/**
 * The validation hook of a route whose body and query are strict objects: an unknown field is a
 * 400 `unknown_field` naming its path, and the known name closest to it; anything else is
 * answered as the app answers every invalid request.
 */
export function strictHook(app: App, knownFields: readonly string[]) {
  return <P extends string>(result: Validated, c: Context<AppEnv, P>): undefined => {
    if (result.success) return;
    const error = result.error;
    const unknown = error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => {
            const suggestion = closestName(key, knownFields);
            return {
              path: [...issue.path.map(String), key].join("."),
              message: suggestion
                ? `is not a known field; did you mean '${suggestion}'?`
                : "is not a known field",
              ...(suggestion ? { suggestion } : {}),
            };
          })
        : [],
    );
    if (unknown.length > 0) {
      throw new ApiError(
        "unknown_field",
        `Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.map((u) => `'${u.path}'`).join(", ")}.${
          unknown.length === 1 && unknown[0]?.suggestion ? ` Did you mean '${unknown[0].suggestion}'?` : ""
        }`,
        unknown,
      );
    }
    // The app's own hook answers every other invalid request by throwing its 400.
    app.defaultHook?.(result, c);
    return undefined;
  };
}
