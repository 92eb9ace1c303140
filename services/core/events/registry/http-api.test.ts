import { describe, expect, it } from 'vitest';
import { recordSchema } from '../test-support/registry-contract.js';
import { answerRegistryRequest } from './http-api.js';
import { LocalSchemaRegistry } from './local.js';

describe('registry REST API answers', () => {
  const registry = LocalSchemaRegistry.memory();

  it('registers, serves by id and reports latest in Confluent shapes', async () => {
    const posted = await answerRegistryRequest(registry, 'POST', '/subjects/a-value/versions', JSON.stringify({ schema: recordSchema() }));
    expect(posted.status).toBe(200);
    const { id } = posted.body as { id: number };
    expect(await answerRegistryRequest(registry, 'GET', `/schemas/ids/${id}`, '')).toMatchObject({ status: 200, body: { schema: expect.stringContaining('"T"') as unknown } });
    expect(await answerRegistryRequest(registry, 'GET', '/subjects/a-value/versions/latest', '')).toMatchObject({ status: 200, body: { id, version: 1, subject: 'a-value' } });
  });

  it('uses Confluent error codes', async () => {
    const codeOf = async (method: string, path: string, body = ''): Promise<unknown> => ((await answerRegistryRequest(registry, method, path, body)).body as { error_code: number }).error_code;
    expect(await codeOf('GET', '/subjects/none-value/versions/latest')).toBe(40401);
    expect(await codeOf('GET', '/schemas/ids/123')).toBe(40403);
    expect(await codeOf('POST', '/subjects/b-value/versions', '{"schema": 5}')).toBe(42201);
    expect(await codeOf('POST', '/subjects/b-value/versions', 'garbage')).toBe(42201);
    expect(await codeOf('POST', '/subjects/b-value/versions', JSON.stringify({ schema: '{"type":"nope"}' }))).toBe(42201);
    await answerRegistryRequest(registry, 'POST', '/subjects/c-value/versions', JSON.stringify({ schema: recordSchema() }));
    expect(await codeOf('POST', '/subjects/c-value/versions', JSON.stringify({ schema: recordSchema([{ name: 'b', type: 'int' }]) }))).toBe(409);
    expect(await codeOf('DELETE', '/subjects/c-value')).toBe(404);
    expect(await codeOf('GET', '/schemas/ids/99999999999')).toBe(404);
  });
});
