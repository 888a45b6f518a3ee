// Direct response action: the proxy answers with a fixed status and body.
import type { RouteConfig } from '../../api/snapshot/index.js';
import type { DirectAction } from './route-table.js';

type DirectConfig = NonNullable<RouteConfig['direct_response']>;

export function compileDirectAction(config: DirectConfig): DirectAction {
  return Object.freeze({
    kind: 'direct' as const,
    status: config.status,
    body: Buffer.from(config.body ?? '', 'utf8'),
    contentType: config.content_type,
  });
}
