import type { QueryParams } from '../core/store/port.js';

/** Collects AND-ed conditions and their bound parameters; values never enter the SQL text. */
export class WhereClause {
  private readonly conditions: string[] = [];
  readonly params: QueryParams;

  constructor(params: QueryParams = {}) {
    this.params = params;
  }

  /** Adds a condition when value is defined, binding it under name. */
  when(value: unknown, condition: string, name?: string): this {
    if (value === undefined) return this;
    this.conditions.push(condition);
    if (name !== undefined) this.params[name] = value;
    return this;
  }

  toString(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}
