import {
  KafkaJSBrokerNotFound, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../../errors.js';
import { fromKafkaError } from './errors.js';

// kafkajs' typings declare these constructors without arguments; the runtime takes a message.
const BrokerNotFound = KafkaJSBrokerNotFound as unknown as new (message: string) => Error;
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

function protocolError(type: string): Error {
  return new KafkaJSProtocolError({ message: `broker said ${type}`, type, code: 0, retriable: false } as unknown as string);
}

describe('fromKafkaError', () => {
  it('maps an exhausted connection retry to TG_ERR_LOG_UNAVAILABLE naming the root failure', () => {
    const root = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const wrapped = new KafkaJSNumberOfRetriesExceeded(root, { retryCount: 5, retryTime: 100 });
    const err = fromKafkaError(wrapped, 'append', { topics: ['t'] });
    expect(err.code).toBe('TG_ERR_LOG_UNAVAILABLE');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.context).toMatchObject({ topics: ['t'], kafkaError: 'KafkaJSConnectionError' });
    expect(err.cause).toBe(wrapped);
  });

  it('maps oversized batches to TG_ERR_MESSAGE_TOO_LARGE and authorisation refusals to TG_ERR_CONFIG', () => {
    expect(fromKafkaError(protocolError('MESSAGE_TOO_LARGE'), 'append').code).toBe('TG_ERR_MESSAGE_TOO_LARGE');
    expect(fromKafkaError(protocolError('RECORD_LIST_TOO_LARGE'), 'append').code).toBe('TG_ERR_MESSAGE_TOO_LARGE');
    expect(fromKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED'), 'append').code).toBe('TG_ERR_CONFIG');
    expect(fromKafkaError(new SaslError('bad password'), 'connect').code).toBe('TG_ERR_CONFIG');
    expect(fromKafkaError(protocolError('NOT_LEADER_FOR_PARTITION'), 'append').code).toBe('TG_ERR_LOG_UNAVAILABLE');
  });

  it('explains a missing controller (the mock cluster) instead of only "Broker 0 not found"', () => {
    const err = fromKafkaError(new BrokerNotFound('Broker 0 not found in the cached metadata'), 'append');
    expect(err.message).toContain('idempotent');
    expect(err.message).toContain('controller');
  });

  it('passes TollgateErrors through and survives garbage', () => {
    const own = new TollgateError('TG_ERR_LOG_CLOSED');
    expect(fromKafkaError(own, 'append')).toBe(own);
    for (const junk of [undefined, null, 42, 'text', { errors: [] }, { originalError: { originalError: 'deep' } }]) {
      expect(fromKafkaError(junk, 'append').code).toBe('TG_ERR_LOG_UNAVAILABLE');
    }
  });
});
