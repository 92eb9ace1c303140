import { isTollgateError, TollgateError, type ErrorCode } from '../../errors.js';

/** Fields kafkajs puts on its errors; read structurally so no kafkajs class leaks past this file. */
interface KafkaJsErrorShape {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  retriable?: unknown;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

// Protocol error types that mean the request itself can never succeed, whatever the broker's health.
const tooLarge = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const misconfigured = new Set([
  'INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED', 'INVALID_REQUIRED_ACKS', 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

// What "Broker 0 not found" means in practice: the admin client or idempotent producer asked for
// the controller, and the cluster's metadata names none (librdkafka's mock cluster never does).
const noControllerHint = ' (the cluster metadata names no usable controller: topic creation and the ' +
  'idempotent producer need one; against librdkafka\'s mock cluster set idempotent: false and createTopics: false)';

/**
 * Maps whatever kafkajs threw to a TollgateError: TG_ERR_MESSAGE_TOO_LARGE for oversized batches,
 * TG_ERR_CONFIG for authorisation or invalid-topic answers, TG_ERR_LOG_UNAVAILABLE for the rest.
 */
export function fromKafkaError(err: unknown, operation: string, context: Record<string, unknown> = {}): TollgateError {
  if (isTollgateError(err)) return err;
  const root = innermost(err);
  const type = typeof root.type === 'string' ? root.type : undefined;
  const name = typeof root.name === 'string' ? root.name : 'Error';
  const detail = (typeof root.message === 'string' ? root.message : String(err)) +
    (name === 'KafkaJSBrokerNotFound' ? noControllerHint : '');
  const code: ErrorCode = type && tooLarge.has(type) ? 'TG_ERR_MESSAGE_TOO_LARGE'
    : type && misconfigured.has(type) ? 'TG_ERR_CONFIG'
      : name === 'KafkaJSSASLAuthenticationError' ? 'TG_ERR_CONFIG'
        : 'TG_ERR_LOG_UNAVAILABLE';
  return new TollgateError(code, `Kafka ${operation} failed: ${detail}`, {
    cause: err,
    context: { ...context, kafkaError: name, ...(type ? { kafkaErrorType: type } : {}) },
  });
}

/** kafkajs wraps the real failure in retry and aggregate errors; the innermost one names it. */
function innermost(err: unknown): KafkaJsErrorShape {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) break;
    const shape = current as KafkaJsErrorShape;
    if (shape.originalError !== undefined) current = shape.originalError;
    else if (shape.cause !== undefined && shape.cause !== null) current = shape.cause;
    else if (Array.isArray(shape.errors) && shape.errors.length > 0) current = shape.errors[0];
    else return shape;
  }
  return typeof current === 'object' && current !== null ? current : { message: String(current) };
}
