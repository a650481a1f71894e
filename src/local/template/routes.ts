/**
 * Every HTTP route a template declares, for `larder list` (like `sam list endpoints`): REST API
 * events (`Type: Api`), HTTP API events (`Type: HttpApi`), Function URLs (`FunctionUrlConfig` or an
 * `AWS::Lambda::Url`), `AWS::ApiGatewayV2::Api` quick-create (`Target`) and `AWS::ApiGatewayV2::Route`.
 * Read defensively: any template cfn-lint accepts gets an answer, whatever shape its properties take.
 */
import { isUnresolved } from './intrinsics';
import type { LoadedTemplate } from './types';

export type RouteKind = 'rest' | 'http' | 'url';

export interface DeclaredRoute {
  method: string;
  path: string;
  kind: RouteKind;
  /** NONE, an authorizer's name, AWS_IAM, API_KEY, … as declared. */
  auth: string;
  /** Logical id of the function the route invokes, when known. */
  function?: string;
  /** Logical id of the API (ServerlessRestApi / ServerlessHttpApi for SAM's implicit ones). */
  api?: string;
}

const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && !isUnresolved(v) ? v : undefined);

export function declaredRoutes(template: LoadedTemplate): DeclaredRoute[] {
  const resources = template.resources;
  const globals = obj(template.resolve(template.raw.Globals ?? {}, 'Globals'));
  const byName = new Map<string, string>();
  for (const fn of template.functions) byName.set(fn.functionName, fn.logicalId);
  const functionOf = (target: unknown): string | undefined => {
    const text = str(target);
    if (!text) return undefined;
    const m = /function:([^:/]+)/.exec(text) ?? /^([^:/]+)$/.exec(text);
    const name = m?.[1];
    return name ? (byName.get(name) ?? (resources[name] ? name : undefined)) : undefined;
  };
  const defaultAuth = (apiId: string | undefined, kind: 'rest' | 'http') => {
    const api = apiId ? obj(resources[apiId]?.Properties) : {};
    const fromGlobals = obj(kind === 'rest' ? globals.Api : globals.HttpApi);
    return str(obj(api.Auth).DefaultAuthorizer) ?? str(obj(fromGlobals.Auth).DefaultAuthorizer);
  };

  const routes: DeclaredRoute[] = [];
  for (const [id, res] of Object.entries(resources)) {
    const props = obj(res.Properties);
    if (res.Type === 'AWS::Serverless::Function') {
      for (const ev of Object.values(obj(props.Events)).map(obj)) {
        const p = obj(ev.Properties);
        const auth = obj(p.Auth);
        if (ev.Type === 'Api') {
          const api = str(p.RestApiId) ?? 'ServerlessRestApi';
          const authorizer = str(auth.Authorizer) ?? defaultAuth(str(p.RestApiId), 'rest');
          const named = authorizer ?? (auth.ApiKeyRequired === true ? 'API_KEY' : 'NONE');
          routes.push({ method: (str(p.Method) ?? 'ANY').toUpperCase(), path: str(p.Path) ?? '/', kind: 'rest', auth: named, function: id, api });
        } else if (ev.Type === 'HttpApi') {
          const api = str(p.ApiId) ?? 'ServerlessHttpApi';
          const authorizer = str(auth.Authorizer) ?? defaultAuth(str(p.ApiId), 'http') ?? 'NONE';
          // An HttpApi event without Path/Method is the API's catch-all ($default) route.
          routes.push({ method: (str(p.Method) ?? 'ANY').toUpperCase(), path: str(p.Path) ?? '/{proxy+}', kind: 'http', auth: authorizer, function: id, api });
        }
      }
      const url = obj(props.FunctionUrlConfig);
      if (Object.keys(url).length) routes.push({ method: 'ANY', path: '/{proxy+}', kind: 'url', auth: str(url.AuthType) ?? 'NONE', function: id });
    } else if (res.Type === 'AWS::Lambda::Url') {
      routes.push({ method: 'ANY', path: '/{proxy+}', kind: 'url', auth: str(props.AuthType) ?? 'NONE', function: functionOf(props.TargetFunctionArn) });
    } else if (res.Type === 'AWS::ApiGatewayV2::Api' && props.Target !== undefined) {
      routes.push({ method: 'ANY', path: '/{proxy+}', kind: 'http', auth: 'NONE', function: functionOf(props.Target), api: id });
    } else if (res.Type === 'AWS::ApiGatewayV2::Route') {
      const key = str(props.RouteKey) ?? '$default';
      const [method, path] = key === '$default' ? ['ANY', '/{proxy+}'] : key.split(/\s+/, 2);
      routes.push({ method: method.toUpperCase(), path: path ?? '/', kind: 'http', auth: str(props.AuthorizationType) ?? 'NONE', api: str(props.ApiId) });
    }
  }
  return routes;
}
