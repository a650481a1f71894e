/** An AWS::Serverless::Api (or SAM's implicit ServerlessRestApi) as start-api serves it. */
import type { ApiDefinition, CorsSettings } from './types';

export function readApi(logicalId: string, p: Record<string, any>): ApiDefinition {
  const unquote = (v: unknown) => (typeof v === 'string' ? v.replace(/^'(.*)'$/, '$1') : undefined);
  let cors: CorsSettings | undefined;
  if (typeof p.Cors === 'string') cors = { allowOrigin: unquote(p.Cors)! };
  else if (p.Cors && typeof p.Cors === 'object') {
    cors = {
      allowOrigin: unquote(p.Cors.AllowOrigin) ?? '*',
      allowMethods: unquote(p.Cors.AllowMethods),
      allowHeaders: unquote(p.Cors.AllowHeaders),
      maxAge: unquote(p.Cors.MaxAge) ?? (p.Cors.MaxAge !== undefined ? String(p.Cors.MaxAge) : undefined),
      allowCredentials: p.Cors.AllowCredentials === true,
    };
  }
  return {
    logicalId,
    stageName: typeof p.StageName === 'string' ? p.StageName : 'Prod',
    // SAM writes '/' as '~1' in BinaryMediaTypes (a JSON-pointer escape).
    binaryMediaTypes: (Array.isArray(p.BinaryMediaTypes) ? p.BinaryMediaTypes : []).map((t: unknown) => String(t).replace(/~1/g, '/')),
    cors,
  };
}
