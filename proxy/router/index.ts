// The router: route tables compiled from a Snapshot and matched per request.
export {
  compileRouteTable,
  type RouteTable,
  type CompiledVirtualHost,
  type CompiledRoute,
  type ForwardAction,
  type RedirectAction,
  type DirectAction,
  type CompileOptions,
} from './route-table.js';
