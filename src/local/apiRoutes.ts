/** The route table lives in src/local/api/routes.ts; this name stays for existing imports. */
export { routesFromTemplate, buildRouteTable, matchPath, matchRoute, matchRequest, type Route, type RouteMatch } from './api/routes';
