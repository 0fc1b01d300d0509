/** JSON with comments (wrangler.jsonc) to JSON: drops `//` and block comments outside strings. */
export function stripJsonComments(text: string): string;
/** A Worker's wrangler.jsonc as JSON, with its paths absolute. */
export function portableConfig(app: string): Record<string, unknown> & { vars?: Record<string, string> };
/** The app folders of apps/, the Workers of the product. */
export const APPS: string[];
