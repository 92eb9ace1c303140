import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventTypes, eventTypeOf } from './codes.js';

describe('event codes', () => {
  it('gives every event type a distinct code', () => {
    const codes = Object.values(EventTypes);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('maps codes back to names and leaves unknown codes unknown', () => {
    expect(eventTypeOf(2002)).toBe('db.query');
    expect(eventTypeOf(8888)).toBeUndefined();
  });

  it('is listed in schemas/README.md, name and code alike', () => {
    const readme = readFileSync(new URL('../../../schemas/README.md', import.meta.url), 'utf8');
    for (const [name, code] of Object.entries(EventTypes)) {
      expect(readme, `${name} ${code}`).toMatch(new RegExp(`\\|\\s*\`${name.replace('.', '\\.')}\`\\s*\\|\\s*${code}\\s*\\|`));
    }
  });
});
