// The files `weft plugin new` writes: a filter project that builds and tests with Weft, or with plain asc and npm.

/** Versions the scaffold pins: this Weft's SDK and the compiler it builds with. */
export interface ScaffoldVersions {
  readonly weft: string;
  readonly assemblyscript: string;
}

/** A valid package name made from a folder name ("My Filter" -> "my-filter"). */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '');
  return name === '' ? 'weft-filter' : name;
}

/** Path (relative to the project) -> contents. */
export function scaffoldFiles(name: string, versions: ScaffoldVersions): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'package.json',
    `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        private: true,
        description: 'A proxy-wasm filter for Weft (and any proxy-wasm host), written in AssemblyScript',
        type: 'module',
        scripts: {
          build: 'weft plugin build',
          test: 'weft plugin test',
          'build:asc': 'asc --config asconfig.json --target release && asc --config asconfig.json --target debug',
        },
        devDependencies: {
          '@weft/sdk': `^${versions.weft}`,
          assemblyscript: versions.assemblyscript,
          weft: `^${versions.weft}`,
        },
      },
      null,
      2,
    )}\n`,
  );
  files.set(
    'asconfig.json',
    `${JSON.stringify(
      {
        extends: '@weft/sdk/asconfig.json',
        entries: ['assembly/index.ts'],
        targets: {
          release: { outFile: 'build/filter.wasm' },
          debug: { outFile: 'build/filter.debug.wasm' },
        },
      },
      null,
      2,
    )}\n`,
  );
  files.set('assembly/tsconfig.json', `${JSON.stringify({ extends: 'assemblyscript/std/assembly.json', include: ['./**/*.ts'] }, null, 2)}\n`);
  files.set('assembly/index.ts', FILTER_SOURCE.replaceAll('__NAME__', name));
  files.set('test/filter.test.js', TEST_SOURCE);
  files.set('weft.yaml', WEFT_YAML.replaceAll('__NAME__', name));
  files.set('README.md', README.replaceAll('__NAME__', name));
  files.set('.gitignore', 'node_modules/\nbuild/\n');
  return files;
}

const FILTER_SOURCE = `// __NAME__: a proxy-wasm HTTP filter. It adds a header to every response and, when
// \`require_header\` is set, answers 400 to requests that lack that header.
// Configuration (JSON): {"header": "x-hello", "value": "world", "require_header": ""}
export * from "@weft/sdk/assembly/exports"; // the proxy_on_* callbacks the host calls
import {
  Action, HeaderPair, HttpContext, LogLevel, RootContext, log, logEnabled, registerRootContext,
} from "@weft/sdk/assembly";

/** One per plugin configuration: parses it once; creates a context per request. */
class FilterRoot extends RootContext {
  header: string = "x-hello";
  value: string = "world";
  requireHeader: string = "";

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "__NAME__: configuration is not JSON: " + cfg.error);
      return false; // the proxy rejects the configuration and keeps its last good one
    }
    const o = cfg.object();
    this.header = o.getString("header", "x-hello").toLowerCase();
    this.value = o.getString("value", "world");
    this.requireHeader = o.getString("require_header", "").toLowerCase();
    if (this.header.length == 0) {
      log(LogLevel.Error, "__NAME__: header must not be empty");
      return false;
    }
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Filter(contextId, this);
  }
}

/** One per request. */
class Filter extends HttpContext {
  constructor(id: u32, readonly config: FilterRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const required = this.config.requireHeader;
    if (required.length > 0 && !this.requestHeaders.has(required)) {
      if (logEnabled(LogLevel.Debug)) log(LogLevel.Debug, "__NAME__: no " + required + " header");
      this.sendResponse(400, "missing header " + required + "\\n", [new HeaderPair("content-type", "text/plain")]);
      return Action.Pause; // the local response ends the request
    }
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.responseHeaders.set(this.config.header, this.config.value);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new FilterRoot(id), "");
`;

const TEST_SOURCE = `// Tests of the filter on Weft's own Wasm host (the one the proxy runs): \`weft plugin test\`.
// The harness builds the filter (cached), starts it with a configuration, and drives requests.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildFilter, FilterHarness, loadFilter, PluginStartError } from 'weft/testing';

const projectDir = fileURLToPath(new URL('..', import.meta.url));
let filter;

before(async () => {
  filter = await loadFilter(await buildFilter(projectDir)); // the release build, as it ships
});

describe('filter', () => {
  it('adds the configured header to responses', async () => {
    const h = await filter.start({ configuration: { header: 'x-greeting', value: 'hi' } });
    const s = h.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/' }, true), 'continue');
    assert.equal(s.sendResponseHeaders({ ':status': '200' }, true), 'continue');
    assert.equal(s.response.headers.get('x-greeting'), 'hi');
    h.close();
  });

  it('answers 400 to a request without the required header', async () => {
    const h = await FilterHarness.load(filter, { configuration: { require_header: 'x-api-version' } });
    const denied = h.http();
    assert.equal(denied.sendRequestHeaders({ ':path': '/' }, true), 'stop');
    assert.equal(denied.localResponse.status, 400);
    assert.equal(denied.localResponse.text, 'missing header x-api-version\\n');
    assert.equal(denied.request.headersForwarded, false);

    const allowed = h.http();
    assert.equal(allowed.sendRequestHeaders({ ':path': '/', 'x-api-version': '2' }, true), 'continue');
    h.close();
  });

  it('rejects a configuration that is not JSON', async () => {
    await assert.rejects(filter.start({ configuration: '{oops' }), (e) => {
      assert.ok(e instanceof PluginStartError);
      assert.match(e.logs.map((l) => l.message).join('\\n'), /configuration is not JSON/);
      return true;
    });
  });
});
`;

const WEFT_YAML = `# Runs the filter in front of a demo upstream:
#   weft plugin build && weft proxy --config weft.yaml --demo-upstream
#   curl -i http://127.0.0.1:8080/hello          # the response carries x-hello: world
listeners:
  - name: web
    address: 127.0.0.1:8080
    http: { route_table: main, filter_chain: edge }
route_tables:
  - name: main
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - forward: { cluster: demo }
clusters:
  - name: demo
    endpoints: [{ address: 127.0.0.1:8081 }]
plugins:
  - name: __NAME__
    module: { file: build/filter.wasm }
    configuration: { header: x-hello, value: world }
    filter_chains: [edge]
    fail_strategy: closed
`;

const README = `# __NAME__

A proxy-wasm HTTP filter written in AssemblyScript with \`@weft/sdk\`. It runs on Weft and on any
other proxy-wasm host (Envoy included): it imports nothing but the spec's host functions.

## Configuration

| field | default | meaning |
| --- | --- | --- |
| \`header\` | \`x-hello\` | Response header to add. |
| \`value\` | \`world\` | Its value. |
| \`require_header\` | (none) | When set, requests without this header are answered \`400\`. |

## Develop

\`\`\`sh
weft plugin test       # build (cached) and run test/*.test.js on Weft's Wasm host
weft plugin build      # build/filter.wasm (release) and build/filter.debug.wasm (+ source map)
weft proxy --config weft.yaml --demo-upstream
curl -i http://127.0.0.1:8080/hello
\`\`\`

Without Weft's command, after \`npm install\`: \`npm run build:asc\` builds with the AssemblyScript
compiler alone. The debug build carries a source map: a trap in the proxy's log names the
AssemblyScript file and line.

- \`assembly/index.ts\` — the filter.
- \`test/filter.test.js\` — its tests, with the harness from \`weft/testing\`.
- \`weft.yaml\` — a standalone proxy config that runs it.
`;
