import { TollgateError } from '../../errors.js';
import { assertCompatible, canonicalSchema } from './compatibility.js';
import type { RegisteredSchema, SchemaRegistry } from './port.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface ConfluentRegistryOptions {
  /** Base URL, e.g. http://schema-registry:8081 */
  url: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Extra headers, e.g. Authorization for a secured registry. */
  headers?: Record<string, string>;
}

/** Confluent's error body: `{"error_code": 40401, "message": "Subject not found."}`. */
interface ErrorBody {
  error_code?: number;
  message?: string;
}

/**
 * The Confluent Schema Registry REST API behind the SchemaRegistry port. Ids never change meaning,
 * so lookups by id are cached for the life of the process. Before registering, the adapter checks
 * full compatibility against the subject's latest version itself, so a registry configured with a
 * weaker compatibility level still cannot take a version tollgate's readers would choke on.
 */
export class ConfluentSchemaRegistry implements SchemaRegistry {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly byId = new Map<number, string>();

  constructor(options: ConfluentRegistryOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { accept: CONTENT_TYPE, ...options.headers };
  }

  async register(subject: string, schema: string): Promise<number> {
    const canonical = canonicalSchema(schema);
    const previous = await this.latest(subject);
    if (previous !== undefined && canonicalSchema(previous.schema) !== canonical) {
      assertCompatible(subject, canonical, [previous]);
    }
    const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: canonical });
    const id = (body as { id?: unknown }).id;
    if (typeof id !== 'number') throw this.badAnswer('POST versions', body);
    this.byId.set(id, canonical);
    return id;
  }

  async getById(id: number): Promise<string> {
    const hit = this.byId.get(id);
    if (hit !== undefined) return hit;
    const body = await this.request('GET', `/schemas/ids/${id}`);
    const schema = (body as { schema?: unknown }).schema;
    if (typeof schema !== 'string') throw this.badAnswer(`GET /schemas/ids/${id}`, body);
    this.byId.set(id, schema);
    return schema;
  }

  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    const body = (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, [40401, 40402])) as
      | Record<string, unknown>
      | undefined;
    if (body === undefined) return undefined;
    const { id, version, schema } = body;
    if (typeof id !== 'number' || typeof version !== 'number' || typeof schema !== 'string') throw this.badAnswer('GET latest', body);
    this.byId.set(id, schema);
    return { subject, id, version, schema };
  }

  /** One request; resolves to the JSON body, or undefined for a 404 whose error_code is in `absent`. */
  private async request(method: string, path: string, json?: unknown, absent: readonly number[] = []): Promise<unknown> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: json === undefined ? this.headers : { ...this.headers, 'content-type': CONTENT_TYPE },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new TollgateError(
        timedOut ? 'TG_ERR_TIMEOUT' : 'TG_ERR_SCHEMA_REGISTRY',
        timedOut ? `schema registry ${method} ${url} took longer than ${this.timeoutMs} ms` : `schema registry ${method} ${url} failed: ${(err as Error).message}`,
        { cause: err, context: { url, method } },
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (res.ok) return body;
    const { error_code: code, message } = body as ErrorBody;
    if (res.status === 404 && code !== undefined && absent.includes(code)) return undefined;
    const detail = `${method} ${url} answered ${res.status}${code === undefined ? '' : ` (error_code ${code})`}: ${message ?? 'no message'}`;
    // 409: incompatible; 422: invalid schema; 404 on an id: unknown. All are about the schema, not the service.
    const aboutSchema = res.status === 409 || res.status === 422 || res.status === 404;
    throw new TollgateError(aboutSchema ? 'TG_ERR_SCHEMA' : 'TG_ERR_SCHEMA_REGISTRY', `schema registry refused: ${detail}`, {
      context: { url, method, status: res.status, errorCode: code },
    });
  }

  private badAnswer(what: string, body: unknown): TollgateError {
    return new TollgateError('TG_ERR_SCHEMA_REGISTRY', `schema registry answered ${what} with an unexpected body: ${JSON.stringify(body).slice(0, 200)}`);
  }
}
