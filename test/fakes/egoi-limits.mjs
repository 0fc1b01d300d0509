// The headers E-goi sends with a 429, shared by the fake E-goi server (egoi.mjs) and the
// egoi-sync Worker's own tests, which stand in for E-goi inside workerd.

/** E-goi's rate-limit headers of a 429: the hourly limit is spent and resets in `reset` seconds. */
export function rateLimitHeaders(reset = 1) {
  return {
    "X-RateLimit-Limit": "100",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": String(reset),
    "X-Account-Limit": "10000",
    "X-Account-Remaining": "5000",
    "X-Account-Reset": "3600",
  };
}
