// Schema of route tables: virtual hosts by domain, ordered routes with matchers and actions.
import { Type } from '@sinclair/typebox';
import { Duration } from './units.js';

const NAME_OPTIONS = {
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$',
  'x-expect': 'a name (letters, digits and . _ : / -, starting with a letter or digit)',
} as const;

const Name = Type.String({ ...NAME_OPTIONS, description: 'A name: letters, digits and . _ : / - , starting with a letter or digit.' });

/** A name field (a resource's own name, or a reference to one) with its own description. */
export const NameField = (description: string) => Type.String({ ...NAME_OPTIONS, description });

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
    name: Type.String({ minLength: 1, description: 'Header name, case-insensitive; pseudo-headers such as `:method` and `:scheme` work too.' }),
    exact: Type.Optional(Type.String({ description: 'The value equals this string (case-sensitive).' })),
    regex: Type.Optional(Type.String({ description: 'The value matches this regular expression in full (ECMAScript syntax).' })),
    present: Type.Optional(Type.Literal(true, { description: 'The header is present, with any value (even empty).' })),
    absent: Type.Optional(Type.Literal(true, { description: 'The header is absent.' })),
  },
  {
    additionalProperties: false,
    description: 'A condition on one request header: exactly one of `exact`, `regex`, `present`, `absent`. A repeated header is matched as its values joined with ",".',
  },
);

export const QueryMatch = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Query parameter name, case-sensitive, compared after decoding.' }),
    exact: Type.Optional(Type.String({ description: 'The decoded value equals this string ("+" and %XX are decoded; UTF-8).' })),
    regex: Type.Optional(Type.String({ description: 'The decoded value matches this regular expression in full.' })),
    present: Type.Optional(Type.Literal(true, { description: 'The parameter is present, with or without a value ("?debug" counts).' })),
    absent: Type.Optional(Type.Literal(true, { description: 'The parameter is absent.' })),
  },
  {
    additionalProperties: false,
    description: 'A condition on one query parameter: exactly one of `exact`, `regex`, `present`, `absent`. A repeated parameter is matched by its first value.',
  },
);

export const PathMatch = Type.Object(
  {
    exact: Type.Optional(Type.String({ pattern: '^/', 'x-expect': 'a path starting with "/"', description: 'The path equals this (case-sensitive).' })),
    prefix: Type.Optional(
      Type.String({ pattern: '^/', 'x-expect': 'a path starting with "/"', description: 'The path starts with this; a string prefix: `/api` also matches `/apis`.' }),
    ),
    regex: Type.Optional(Type.String({ description: 'The path matches this regular expression in full (ECMAScript syntax).' })),
  },
  {
    additionalProperties: false,
    description: 'Exactly one of `exact`, `prefix`, `regex`, compared with the path as received, without the query string.',
  },
);

export const RouteMatch = Type.Object(
  {
    path: Type.Optional(PathMatch),
    methods: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z]+$', 'x-expect': 'an HTTP method in upper case (GET, POST, …)' }), {
        minItems: 1,
        description: 'Any of these methods (upper case, compared exactly).',
      }),
    ),
    headers: Type.Optional(Type.Array(HeaderMatch, { description: 'Header conditions; all of them must hold.' })),
    query: Type.Optional(Type.Array(QueryMatch, { description: 'Query parameter conditions; all of them must hold.' })),
  },
  { additionalProperties: false, description: 'When the route applies: all given conditions must hold; no `match` matches every request.' },
);

export const HeaderValueOption = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Header name (case-insensitive). Not `host` (use `forward.host_rewrite`) nor a pseudo-header.' }),
    value: Type.String({ description: 'The value, as is (no CR, LF or NUL).' }),
    append: Type.Boolean({ default: false, description: 'Add another field instead of replacing the fields of that name.' }),
  },
  { additionalProperties: false },
);

export const WeightedCluster = Type.Object(
  {
    cluster: NameField('Cluster to send this share of requests to.'),
    weight: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Relative weight; 0 sends nothing (handy while shifting traffic).' }),
  },
  { additionalProperties: false },
);

export const ForwardAction = Type.Object(
  {
    cluster: Type.Optional(NameField('Cluster to forward to.')),
    weighted_clusters: Type.Optional(
      Type.Array(WeightedCluster, { minItems: 1, description: 'Split requests across clusters by weight (a random pick per request); weights need not sum to 100.' }),
    ),
    prefix_rewrite: Type.Optional(
      Type.String({ description: 'Replace the prefix the route matched (`match.path.prefix`) with this; the rest of the path and the query are kept.' }),
    ),
    regex_rewrite: Type.Optional(
      Type.Object(
        {
          pattern: Type.String({ description: 'Regular expression (ECMAScript syntax) searched in the path.' }),
          substitution: Type.String({ description: 'Replacement; `$1`, `$2`… insert capture groups, `$<name>` named ones.' }),
        },
        { additionalProperties: false, description: 'Rewrite the path (not the query): every match of `pattern` becomes `substitution`.' },
      ),
    ),
    host_rewrite: Type.Optional(Type.String({ minLength: 1, description: 'Host / :authority sent upstream instead of the client\'s.' })),
    timeout: Duration('Whole-request timeout, from the request head to the last response byte (504 when exceeded).', '15s'),
  },
  { additionalProperties: false, description: 'Forward to a cluster: exactly one of `cluster`, `weighted_clusters`; at most one of `prefix_rewrite`, `regex_rewrite`.' },
);

export const RedirectAction = Type.Object(
  {
    scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'Scheme of the Location (default: the request\'s).' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'Host of the Location, without a port (default: the request\'s host and port).' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Port of the Location; omitted when it is the scheme\'s default.' })),
    path: Type.Optional(
      Type.String({
        pattern: '^/',
        'x-expect': 'a path starting with "/"',
        description: 'Path of the Location, replacing the whole path; a query in it replaces the request\'s query.',
      }),
    ),
    prefix_rewrite: Type.Optional(Type.String({ description: 'Replace the prefix the route matched (`match.path.prefix`) with this.' })),
    strip_query: Type.Boolean({ default: false, description: 'Drop the request\'s query string from the Location.' }),
    status: Type.Union([Type.Literal(301), Type.Literal(302), Type.Literal(303), Type.Literal(307), Type.Literal(308)], {
      default: 301,
      description: 'Redirect status; 307 and 308 keep the method and body.',
    }),
  },
  { additionalProperties: false, description: 'Answer with a redirect; at most one of `path`, `prefix_rewrite`.' },
);

export const DirectResponseAction = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 599, description: 'Response status.' }),
    body: Type.Optional(Type.String({ description: 'Response body (UTF-8); none by default.' })),
    content_type: Type.String({ default: 'text/plain; charset=utf-8', description: 'Content-Type of the body.' }),
  },
  { additionalProperties: false, description: 'Answer from the proxy itself, without an upstream.' },
);

export const Route = Type.Object(
  {
    name: Type.Optional(NameField('Name in metrics and logs (default: "<virtual host>/<index>").')),
    match: Type.Optional(RouteMatch),
    forward: Type.Optional(ForwardAction),
    redirect: Type.Optional(RedirectAction),
    direct_response: Type.Optional(DirectResponseAction),
    request_headers_to_add: Type.Array(HeaderValueOption, { default: [], description: 'Request headers to set or append before forwarding (after the removals).' }),
    request_headers_to_remove: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Request headers to remove before forwarding.' }),
    response_headers_to_add: Type.Array(HeaderValueOption, { default: [], description: 'Response headers to set or append (after the removals).' }),
    response_headers_to_remove: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Response headers to remove.' }),
    filter_chain: Type.Optional(NameField('Filter chain that runs for this route, after the listener\'s chain.')),
  },
  {
    additionalProperties: false,
    description: 'Exactly one action: `forward`, `redirect` or `direct_response`. `filter_chain` runs after the listener\'s chain.',
  },
);

export const VirtualHost = Type.Object(
  {
    name: NameField('Virtual host name, unique in its route table.'),
    domains: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'Hosts served, case-insensitive, without a port: exact ("api.example.com"), suffix ("*.example.com": any subdomain, not example.com itself) or "*" (any host).',
    }),
    routes: Type.Array(Route, { description: 'Tried in order; the first match wins. No match answers 404.' }),
  },
  { additionalProperties: false, description: 'Routes for a set of domains.' },
);

export const RouteTable = Type.Object(
  {
    name: NameField('Route table name, referenced by `listeners[].http.route_table`.'),
    virtual_hosts: Type.Array(VirtualHost, {
      minItems: 1,
      description: 'Chosen by the request\'s host: an exact domain first, then the longest `*.suffix`, then `*`.',
    }),
  },
  { additionalProperties: false, description: 'Where HTTP requests go: virtual hosts by domain, each with ordered routes.' },
);

export { Name };
