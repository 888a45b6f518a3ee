// Inputs the micro benchmarks share: a realistic browser request's header fields.

/** A browser's GET to an API, as HTTP/2-style fields (12, ~600 bytes). */
export const REQUEST: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':authority', 'api.example.com'],
  [':path', '/v1/users/42?expand=profile'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36'],
  ['accept', 'application/json, text/plain, */*'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-language', 'en-US,en;q=0.9'],
  ['cookie', 'session=3f6c1a0e9b7d4c2a8e5f; theme=dark'],
  ['x-request-id', '7b0c2e4a-9f1d-4c3b-8a6e-5d2f1b0c9e8a'],
  ['x-forwarded-for', '203.0.113.7'],
  ['authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl'],
];
