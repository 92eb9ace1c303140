import type { BackendMessage } from './backend-messages.js';
import type { EncodableFrontendMessage, FrontendMessage } from './frontend-messages.js';
import { noticeFields } from './backend-notices.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** One of every server message (with edge values), for round-trip, split and benchmark inputs. */
export const SAMPLE_BACKEND: readonly BackendMessage[] = [
  { kind: 'AuthenticationOk' },
  { kind: 'AuthenticationKerberosV5' },
  { kind: 'AuthenticationCleartextPassword' },
  { kind: 'AuthenticationMD5Password', salt: Buffer.from([1, 0, 255, 7]) },
  { kind: 'AuthenticationGSS' },
  { kind: 'AuthenticationGSSContinue', data: Buffer.from([0, 1, 2, 0]) },
  { kind: 'AuthenticationSSPI' },
  { kind: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
  { kind: 'AuthenticationSASLContinue', data: b('r=abc,s=c2FsdA==,i=4096') },
  { kind: 'AuthenticationSASLFinal', data: b('v=c2ln') },
  { kind: 'BackendKeyData', processId: 4242, secretKey: Buffer.from([9, 8, 7, 6]) },
  { kind: 'BackendKeyData', processId: -1, secretKey: Buffer.alloc(32, 0xab) },
  { kind: 'BindComplete' },
  { kind: 'CloseComplete' },
  { kind: 'CommandComplete', tag: 'SELECT 1000' },
  { kind: 'CopyData', data: b('1\tалиса\n') },
  { kind: 'CopyData', data: Buffer.alloc(0) },
  { kind: 'CopyDone' },
  { kind: 'CopyInResponse', format: 0, columnFormats: [0, 0] },
  { kind: 'CopyOutResponse', format: 1, columnFormats: [1] },
  { kind: 'CopyBothResponse', format: 0, columnFormats: [] },
  { kind: 'DataRow', values: [b('42'), null, Buffer.alloc(0), b('ü€')] },
  { kind: 'DataRow', values: [] },
  { kind: 'EmptyQueryResponse' },
  {
    kind: 'ErrorResponse',
    fields: noticeFields({ severity: 'ERROR', code: '42P01', message: 'relation "nope" does not exist', position: '15' }),
  },
  { kind: 'FunctionCallResponse', result: b('7') },
  { kind: 'FunctionCallResponse', result: null },
  { kind: 'NegotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: ['_pq_.compression'] },
  { kind: 'NoData' },
  { kind: 'NoticeResponse', fields: noticeFields({ severity: 'NOTICE', code: '00000', message: 'hello' }) },
  { kind: 'NotificationResponse', processId: 77, channel: 'jobs', payload: '{"id":1}' },
  { kind: 'ParameterDescription', typeOids: [23, 25, 4294967295] },
  { kind: 'ParameterStatus', name: 'client_encoding', value: 'UTF8' },
  { kind: 'ParseComplete' },
  { kind: 'PortalSuspended' },
  { kind: 'ReadyForQuery', status: 'I' },
  { kind: 'ReadyForQuery', status: 'T' },
  { kind: 'ReadyForQuery', status: 'E' },
  {
    kind: 'RowDescription',
    fields: [
      { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
      { name: 'émail', tableOid: 0, columnAttr: 0, typeOid: 3000000000, typeSize: -1, typeModifier: 259, format: 1 },
    ],
  },
];

/** The startup-phase client packets. */
export const SAMPLE_STARTUP: readonly FrontendMessage[] = [
  { kind: 'SSLRequest' },
  { kind: 'GSSENCRequest' },
  { kind: 'CancelRequest', processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) },
  { kind: 'CancelRequest', processId: 4242, secretKey: Buffer.alloc(256, 0x5a) },
  {
    kind: 'StartupMessage',
    majorVersion: 3,
    minorVersion: 0,
    parameters: new Map([
      ['user', 'ci-bot'],
      ['database', 'app'],
      ['application_name', 'psql'],
      ['options', '-c search_path=public'],
    ]),
  },
];

/** One of every client message after startup (the 'p' shapes decode as AuthenticationResponse). */
export const SAMPLE_FRONTEND: readonly EncodableFrontendMessage[] = [
  { kind: 'PasswordMessage', password: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' },
  { kind: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: b('n,,n=,r=abc') },
  { kind: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: null },
  { kind: 'SASLResponse', data: b('c=biws,r=abc,p=xyz') },
  { kind: 'GSSResponse', data: Buffer.from([0, 0, 1]) },
  {
    kind: 'Bind',
    portal: '',
    statement: 'stmt1',
    parameterFormats: [0, 1],
    parameters: [b('42'), null, Buffer.alloc(0)],
    resultFormats: [1],
  },
  { kind: 'Bind', portal: 'p', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
  { kind: 'Close', target: 'S', name: 'stmt1' },
  { kind: 'Close', target: 'P', name: '' },
  { kind: 'CopyData', data: b('1\tbob\n') },
  { kind: 'CopyDone' },
  { kind: 'CopyFail', message: 'client gave up' },
  { kind: 'Describe', target: 'P', name: '' },
  { kind: 'Describe', target: 'S', name: 'stmt1' },
  { kind: 'Execute', portal: '', maxRows: 0 },
  { kind: 'Execute', portal: 'cur', maxRows: 2 },
  { kind: 'Flush' },
  { kind: 'FunctionCall', functionOid: 1318, argumentFormats: [0], arguments: [b('abc'), null], resultFormat: 0 },
  { kind: 'Parse', statement: 'stmt1', query: 'SELECT $1::int, $2', parameterTypes: [23, 0] },
  { kind: 'Parse', statement: '', query: 'SELECT 1', parameterTypes: [] },
  { kind: 'Query', sql: 'SELECT 1; SELECT \'ünïcødé\'' },
  { kind: 'Query', sql: '' },
  { kind: 'Sync' },
  { kind: 'Terminate' },
];
