export function rateLimitHeaders(reset?: number): Record<string, string>;
