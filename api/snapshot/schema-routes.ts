// Schema of route tables: virtual hosts by domain, ordered routes with matchers and actions.
import { Type } from '@sinclair/typebox';
import { Duration } from './units.js';

const Name = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$',
  description: 'A name: letters, digits and . _ : / - , starting with a letter or digit.',
  'x-expect': 'a name (letters, digits and . _ : / -, starting with a letter or digit)',
});

export const StringMatch = Type.Object(
  {
    exact: Type.Optional(Type.String({ description: 'Equal to this string.' })),
    prefix: Type.Optional(Type.String({ description: 'Starts with this string.' })),
    regex: Type.Optional(Type.String({ description: 'Matches this regular expression in full (ECMAScript syntax).' })),
  },
  { additionalProperties: false, description: 'Exactly one of `exact`, `prefix`, `regex`.' },
);

export const HeaderMatch = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Header name (case-insensitive).' }),
    exact: Type.Optional(Type.String({ description: 'The value equals this string.' })),
    regex: Type.Optional(Type.String({ description: 'The value matches this regular expression in full.' })),
    present: Type.Optional(Type.Literal(true, { description: 'The header is present, with any value.' })),
    absent: Type.Optional(Type.Literal(true, { description: 'The header is absent.' })),
  },
  { additionalProperties: false, description: 'Exactly one of `exact`, `regex`, `present`, `absent`.' },
);

export const QueryMatch = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Query parameter name (case-sensitive).' }),
    exact: Type.Optional(Type.String()),
    regex: Type.Optional(Type.String()),
    present: Type.Optional(Type.Literal(true)),
    absent: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, description: 'Exactly one of `exact`, `regex`, `present`, `absent`.' },
);

export const RouteMatch = Type.Object(
  {
    path: Type.Optional(
      Type.Object(
        {
          exact: Type.Optional(Type.String({ pattern: '^/' })),
          prefix: Type.Optional(Type.String({ pattern: '^/' })),
          regex: Type.Optional(Type.String()),
        },
        { additionalProperties: false, description: 'Exactly one of `exact`, `prefix`, `regex`; the query string is not part of the path.' },
      ),
    ),
    methods: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z]+$', 'x-expect': 'an HTTP method in upper case (GET, POST, …)' }), {
        minItems: 1,
        description: 'Any of these methods (upper case, compared exactly).',
      }),
    ),
    headers: Type.Optional(Type.Array(HeaderMatch, { description: 'All of these must match.' })),
    query: Type.Optional(Type.Array(QueryMatch, { description: 'All of these must match.' })),
  },
  { additionalProperties: false, description: 'All given conditions must hold; an empty match matches every request.' },
);

export const HeaderValueOption = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    value: Type.String(),
    append: Type.Boolean({ default: false, description: 'Add another value instead of replacing existing ones.' }),
  },
  { additionalProperties: false },
);

export const WeightedCluster = Type.Object(
  {
    cluster: Name,
    weight: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);

export const ForwardAction = Type.Object(
  {
    cluster: Type.Optional(Name),
    weighted_clusters: Type.Optional(Type.Array(WeightedCluster, { minItems: 1, description: 'Split by weight; weights need not sum to 100.' })),
    prefix_rewrite: Type.Optional(Type.String({ description: 'Replace the matched path prefix (prefix matches only).' })),
    regex_rewrite: Type.Optional(
      Type.Object(
        { pattern: Type.String(), substitution: Type.String({ description: 'May use $1, $2… for capture groups.' }) },
        { additionalProperties: false, description: 'Rewrite the path: every match of `pattern` becomes `substitution`.' },
      ),
    ),
    host_rewrite: Type.Optional(Type.String({ minLength: 1, description: 'Host / :authority sent upstream.' })),
    timeout: Duration('Whole-request timeout, from the request head to the last response byte (504 when exceeded).', '15s'),
  },
  { additionalProperties: false, description: 'Exactly one of `cluster`, `weighted_clusters`.' },
);

export const RedirectAction = Type.Object(
  {
    scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    path: Type.Optional(Type.String({ pattern: '^/' })),
    prefix_rewrite: Type.Optional(Type.String()),
    strip_query: Type.Boolean({ default: false }),
    status: Type.Union([Type.Literal(301), Type.Literal(302), Type.Literal(303), Type.Literal(307), Type.Literal(308)], { default: 301 }),
  },
  { additionalProperties: false },
);

export const DirectResponseAction = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 599 }),
    body: Type.Optional(Type.String()),
    content_type: Type.String({ default: 'text/plain; charset=utf-8' }),
  },
  { additionalProperties: false },
);

export const Route = Type.Object(
  {
    name: Type.Optional(Name),
    match: Type.Optional(RouteMatch),
    forward: Type.Optional(ForwardAction),
    redirect: Type.Optional(RedirectAction),
    direct_response: Type.Optional(DirectResponseAction),
    request_headers_to_add: Type.Array(HeaderValueOption, { default: [] }),
    request_headers_to_remove: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    response_headers_to_add: Type.Array(HeaderValueOption, { default: [] }),
    response_headers_to_remove: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    filter_chain: Type.Optional(Name),
  },
  {
    additionalProperties: false,
    description: 'Exactly one action: `forward`, `redirect` or `direct_response`. `filter_chain` runs after the listener\'s chain.',
  },
);

export const VirtualHost = Type.Object(
  {
    name: Name,
    domains: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Host / :authority values (port ignored): exact ("api.example.com"), suffix ("*.example.com") or "*".',
    }),
    routes: Type.Array(Route, { description: 'Tried in order; the first match wins.' }),
  },
  { additionalProperties: false },
);

export const RouteTable = Type.Object(
  {
    name: Name,
    virtual_hosts: Type.Array(VirtualHost, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export { Name };
