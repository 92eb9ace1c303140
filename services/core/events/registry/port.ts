/**
 * SchemaRegistry: where the Avro schemas of tollgate's topics are registered and looked up by the id
 * that every framed event carries. Adapters: local (file-backed, embedded mode) and confluent
 * (Confluent Schema Registry REST API, distributed mode). Subjects follow TopicNameStrategy
 * (`tollgate.frames.v1-value`); schemas are exchanged as JSON text, as on Confluent's API.
 */

export interface RegisteredSchema {
  subject: string;
  /** Global id: the one written into the 5-byte header of each event. */
  id: number;
  /** 1-based position of this schema in its subject's history. */
  version: number;
  schema: string;
}

export interface SchemaRegistry {
  /**
   * Registers a schema under a subject and resolves to its id. Registering a schema the subject
   * already holds returns the existing id. Rejects with TG_ERR_SCHEMA when the schema is invalid or
   * not compatible with the subject's earlier versions.
   */
  register(subject: string, schema: string): Promise<number>;
  /** The schema text for an id; TG_ERR_SCHEMA when the registry has no such id. */
  getById(id: number): Promise<string>;
  /** The newest version of a subject, or undefined when nothing is registered under it. */
  latest(subject: string): Promise<RegisteredSchema | undefined>;
}
