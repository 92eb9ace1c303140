import type { FastifyInstance } from 'fastify';

interface RouteDoc {
  method: string;
  url: string;
  schema: Record<string, unknown> | undefined;
}

/**
 * Builds /openapi.json from the routes' own JSON schemas (collected as they are registered), so the
 * description cannot drift from the validation the routes apply.
 */
export function collectOpenApi(app: FastifyInstance): () => Record<string, unknown> {
  const routes: RouteDoc[] = [];
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!route.url.startsWith('/api/') || schema?.['hide'] === true) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: route.url, schema });
  });
  return () => {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      (paths[path] ??= {})[r.method] = operation(r);
    }
    return {
      openapi: '3.1.0',
      info: { title: 'tollgate replay API', version: '1', description: 'Recordings for auditors. Every request needs Authorization: Bearer <JWT> of an identity whose role grants audit (401 without, 403 without audit); every read is itself recorded.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
      paths,
    };
  };
}

function operation(r: RouteDoc): Record<string, unknown> {
  const s = r.schema ?? {};
  const parameters: unknown[] = [];
  for (const [where, key] of [['path', 'params'], ['query', 'querystring']] as const) {
    const obj = s[key] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(obj?.properties ?? {})) {
      parameters.push({ name, in: where, required: where === 'path' || (obj?.required ?? []).includes(name), schema });
    }
  }
  const op: Record<string, unknown> = {
    summary: s['summary'] ?? '',
    tags: s['tags'] ?? [],
    parameters,
    responses: {
      200: { description: 'OK' },
      400: { description: 'bad input: { error: { code, message } }' },
      401: { description: 'missing or invalid token' },
      403: { description: 'identity may not read recordings' },
      503: { description: 'the read could not be recorded in the audit trail, so it was refused' },
    },
  };
  if (s['body'] !== undefined) op['requestBody'] = { required: true, content: { 'application/json': { schema: s['body'] } } };
  return op;
}
