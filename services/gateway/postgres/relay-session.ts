import { encodeCopyData, encodeFrontendMessage, type DecodedBackendMessage, type DecodedFrontendMessage, type NoticeFields } from './protocol/index.js';
import { encodeBackendMessage } from './protocol/index.js';
import { GatewaySqlState, gatewayError } from './gateway-errors.js';
import type { WireRecorder } from './frame-recording.js';
import { ALLOW, type BlockDecision, type Decision, type GuardrailSession } from './guardrails/index.js';
import type { MaskingPlan } from '../../core/masking/index.js';
import { maskNoticeFields } from './notice-masking.js';
import { Outbox } from './outbox.js';
import type { ResultMasking } from './result-masking.js';
import { ResultOrigins } from './result-origins.js';
import { AllowedShapes, selectShapeKey } from './select-shape.js';

export interface RelayOptions {
  readonly recorder: WireRecorder;
  readonly enforce: GuardrailSession | undefined;
  readonly observe: GuardrailSession | undefined;
  readonly masking: { readonly plan: MaskingPlan; readonly results: ResultMasking } | undefined;
  /** A per-process random token: block probes carry it so their errors are recognised. */
  readonly probeNonce: string;
  readonly now: () => number;
}

/** Why the relay wants the session closed, with the message already queued for the client. */
export interface RelayEnd {
  readonly reason: string;
  readonly error: string | null;
}

/**
 * The relay phase of one PostgreSQL session, without I/O: client messages are judged by the
 * guardrails and forwarded, upstream messages are masked and forwarded; both directions are
 * recorded. A blocked statement is replaced upstream by a probe that fails at the same point
 * (a syntax error for simple Query and FunctionCall, a Describe of a missing statement in the
 * extended protocol), and the probe's error is replaced by the guardrail's. So the server itself
 * skips to Sync, aborts the transaction block and reports the status, exactly as for its own
 * errors, and the answer reaches the client in order behind earlier pipelined results.
 */
export class RelaySession {
  readonly toUpstream = new Outbox();
  readonly toClient = new Outbox();
  /** Queries and Syncs forwarded whose ReadyForQuery has not come back. */
  outstanding = 0;
  /** When the oldest outstanding request was sent (ms), for the statement timeout. */
  busySince = 0;
  ended: RelayEnd | undefined;
  private skipUntilSync = false;
  private probeCount = 0;
  private readonly probes = new Map<string, { readonly sqlstate: string; readonly message: string }>();
  private readonly probePrefix: string;
  private readonly allowedShapes = new AllowedShapes();
  /** What the server will answer: the refSeq of masking decisions, and `outstanding`. */
  private readonly origins = new ResultOrigins();

  constructor(private readonly o: RelayOptions) {
    this.probePrefix = `tollgate_blocked_${o.probeNonce}_`;
  }

  /** The result masking of this session, when its grant masks. */
  get results(): ResultMasking | undefined {
    return this.o.masking?.results;
  }

  /** Handles one client message of the relay phase. */
  fromClient(msg: DecodedFrontendMessage): void {
    const seq = this.o.recorder.client(msg.kind, msg.raw);
    if (this.skipUntilSync) {
      if (msg.kind === 'Sync') {
        this.skipUntilSync = false;
        this.origins.sync(seq);
        this.o.masking?.results.onSync();
        this.send(msg);
      }
      return;
    }
    const m = this.o.masking?.results;
    switch (msg.kind) {
      case 'Query': {
        this.origins.simple(seq);
        m?.onSimple();
        const d = this.judgeQuery(msg.sql, seq);
        if (d.action === 'block') return this.probe(d, 'simple');
        m?.onQuery(msg.sql);
        return this.send(msg);
      }
      case 'Parse': {
        this.origins.extended();
        const d = this.judge((g) => g.judgeParse(msg.statement, msg.query), seq);
        if (d.action === 'block') return this.probe(d, 'extended');
        m?.onParse(msg.statement);
        return this.send(msg);
      }
      case 'Bind': {
        this.origins.extended();
        const d = this.judge((g) => g.judgeExecute(msg.statement), seq);
        if (d.action === 'block') return this.probe(d, 'extended');
        m?.onBind(msg.portal, msg.statement, msg.resultFormats);
        return this.send(msg);
      }
      case 'FunctionCall': {
        this.origins.simple(seq);
        m?.onSimple();
        const d = this.judge((g) => g.judgeFunctionCall(msg.functionOid), seq);
        if (d.action === 'block') return this.probe(d, 'simple');
        // A FunctionCallResponse carries one untyped value (query_to_xml can return a whole table):
        // it cannot be masked by column, so a grant that masks is refused the call (fail closed).
        if (m !== undefined) return this.probe(this.withheldFunctionCall(msg.functionOid, seq), 'simple');
        return this.send(msg);
      }
      case 'Describe':
        this.origins.extended();
        m?.onDescribe(msg.target, msg.name);
        return this.send(msg);
      case 'Execute':
        this.origins.execute(seq);
        m?.onExecute(msg.portal);
        return this.send(msg);
      case 'Close':
        if (msg.target === 'S') {
          this.o.enforce?.closeStatement(msg.name);
          this.o.observe?.closeStatement(msg.name);
        }
        this.origins.extended();
        m?.onClose(msg.target, msg.name);
        return this.send(msg);
      case 'Terminate':
        this.ended = { reason: 'client terminated', error: null };
        return this.send(msg);
      case 'Sync':
        this.origins.sync(seq);
        m?.onSync();
        return this.send(msg);
      case 'CopyDone':
      case 'CopyFail':
        this.origins.copyEnd();
        m?.onCopyInEnd();
        return this.send(msg);
      case 'Flush':
      case 'CopyData':
        return this.send(msg);
      default:
        return this.fatal(GatewaySqlState.protocolViolation, `unexpected ${msg.kind} message after startup`);
    }
  }

  /** Handles one upstream message of the relay phase. */
  fromUpstream(msg: DecodedBackendMessage): void {
    const masking = this.o.masking;
    if (msg.kind === 'ReadyForQuery') {
      this.origins.ready();
      this.outstanding = this.origins.readies;
      if (this.outstanding > 0) this.busySince = this.o.now();
      masking?.results.onReady();
      if (this.probes.size > 0 && this.outstanding === 0) this.probes.clear();
      return this.relay(msg);
    }
    if (msg.kind === 'ErrorResponse') return this.upstreamError(msg.fields, msg.raw);
    if (masking === undefined) this.relay(msg);
    else this.masked(msg, masking);
    // After the masking decision named this result's origin.
    this.origins.answer(msg.kind);
    this.outstanding = this.origins.readies;
  }

  private masked(msg: DecodedBackendMessage, masking: NonNullable<RelayOptions['masking']>): void {
    const results = masking.results;
    switch (msg.kind) {
      case 'DataRow': {
        const masked = results.dataRow(msg);
        if (masked === undefined) return this.relay(msg);
        return this.rewrite('DataRow', masked);
      }
      case 'RowDescription':
        results.onRowDescription(msg.fields);
        return this.relay(msg);
      case 'NoData':
        results.onNoData();
        return this.relay(msg);
      case 'ParseComplete':
      case 'BindComplete':
      case 'CloseComplete':
        results.onComplete();
        return this.relay(msg);
      case 'CopyOutResponse':
        results.onCopyOut(msg.format, msg.columnFormats);
        return this.relay(msg);
      case 'CopyInResponse':
        results.onCopyIn();
        return this.relay(msg);
      case 'CopyData': {
        const masked = results.copyData(msg.data);
        if (masked === undefined) return this.relay(msg);
        if (masked === null) return;
        return this.rewrite('CopyData', encodeCopyData(masked));
      }
      case 'CopyDone':
        if (results.copyWithheld === undefined) this.relay(msg);
        return;
      case 'CommandComplete':
      case 'PortalSuspended':
      case 'EmptyQueryResponse':
        return this.resultEnd(msg);
      case 'NotificationResponse': {
        // NOTIFY payloads are free text a client chose: detectors only (no column to name).
        const r = masking.plan.maskText(msg.payload);
        if (r.findings.length === 0) return this.relay(msg);
        return this.rewrite('NotificationResponse', encodeBackendMessage({ kind: 'NotificationResponse', processId: msg.processId, channel: msg.channel, payload: r.text }));
      }
      case 'NoticeResponse': {
        const fields = maskNoticeFields(msg.fields, masking.plan);
        if (fields === undefined) return this.relay(msg);
        return this.rewrite('NoticeResponse', encodeBackendMessage({ kind: 'NoticeResponse', fields }));
      }
      default:
        return this.relay(msg);
    }
  }

  /** Ends the session from the gateway's side with a FATAL error to the client. */
  fatal(code: string, message: string): void {
    if (this.ended !== undefined) return;
    const bytes = gatewayError('FATAL', code, message);
    this.toClient.write(bytes);
    this.o.recorder.toClient('ErrorResponse', bytes);
    this.ended = { reason: message, error: code };
  }

  private resultEnd(msg: DecodedBackendMessage): void {
    const results = this.o.masking?.results;
    if (results === undefined) return this.relay(msg);
    const withheld = results.copyWithheld;
    this.recordMasking(withheld);
    results.onResultEnd(msg.kind === 'CommandComplete' ? msg.tag : undefined);
    if (withheld === undefined) return this.relay(msg);
    const bytes = gatewayError('ERROR', GatewaySqlState.insufficientPrivilege, `COPY output withheld by masking: ${withheld}`);
    this.o.recorder.upstream(msg.kind, msg.raw);
    this.toClient.write(bytes);
    this.o.recorder.toClient('ErrorResponse', bytes);
  }

  private recordMasking(withheldCopy: string | undefined): void {
    const stats = this.o.masking?.results.stats;
    if (stats === undefined) return;
    const refSeq = this.origins.current ?? null;
    if (withheldCopy !== undefined) {
      this.o.recorder.decision('mask.withheld', 'WITHHOLD', { rule: 'masking/copy', reason: withheldCopy, refSeq });
    }
    if (stats.empty) return;
    const withheld = stats.withheld > 0;
    this.o.recorder.decision(withheld ? 'mask.withheld' : 'mask.applied', withheld ? 'WITHHOLD' : 'MASK', {
      rule: 'masking',
      reason: `masked ${stats.values} value(s) in ${stats.rows} row(s)`,
      refSeq,
      details: stats.details(),
    });
    stats.reset();
  }

  private upstreamError(fields: NoticeFields, raw: Buffer): void {
    // Rows masked before an error belong to the failed result: summarise them now.
    this.recordMasking(this.o.masking?.results.copyWithheld);
    this.o.masking?.results.onError();
    this.origins.error();
    this.outstanding = this.origins.readies;
    const probe = this.probeOf(fields.get('M'));
    if (probe !== undefined) {
      this.o.recorder.upstream('ErrorResponse', raw);
      const bytes = gatewayError('ERROR', probe.sqlstate, probe.message);
      this.toClient.write(bytes);
      this.o.recorder.toClient('ErrorResponse', bytes);
      return;
    }
    const plan = this.o.masking?.plan;
    const masked = plan === undefined ? undefined : maskNoticeFields(fields, plan);
    if (masked === undefined) {
      this.o.recorder.upstream('ErrorResponse', raw);
      this.toClient.forward({ raw });
      return;
    }
    this.rewrite('ErrorResponse', encodeBackendMessage({ kind: 'ErrorResponse', fields: masked }));
  }

  private probeOf(message: string | undefined): { readonly sqlstate: string; readonly message: string } | undefined {
    if (this.probes.size === 0 || message === undefined) return undefined;
    const at = message.indexOf(this.probePrefix);
    if (at < 0) return undefined;
    const end = message.slice(at).search(/[^A-Za-z0-9_]/);
    const marker = end < 0 ? message.slice(at) : message.slice(at, at + end);
    const d = this.probes.get(marker);
    this.probes.delete(marker);
    return d;
  }

  /** Judges a simple Query; SELECTs differing only in compared integers reuse an earlier ALLOW (see select-shape.ts). */
  private judgeQuery(sql: string, refSeq: number): Decision {
    if (this.o.enforce === undefined && this.o.observe === undefined) return ALLOW;
    const shape = selectShapeKey(sql);
    if (shape !== undefined && this.allowedShapes.has(shape)) return ALLOW;
    const d = this.judge((g) => g.judgeQuery(sql), refSeq);
    if (shape !== undefined && d.action === 'allow') this.allowedShapes.add(shape);
    return d;
  }

  private judge(fn: (g: GuardrailSession) => Decision, refSeq: number): Decision {
    const enforced = this.o.enforce === undefined ? ALLOW : fn(this.o.enforce);
    const d = enforced.action !== 'allow' || this.o.observe === undefined ? enforced : fn(this.o.observe);
    if (d.action === 'allow') return d;
    const blocked = d.action === 'block';
    this.o.recorder.decision(blocked ? 'policy.block' : 'policy.observe', blocked ? 'BLOCK' : 'OBSERVE', { rule: d.ruleId, reason: d.message, refSeq, details: { sqlstate: d.sqlstate } });
    return d;
  }

  private withheldFunctionCall(oid: number, refSeq: number): BlockDecision {
    const ruleId = 'masking/function-call';
    const d: BlockDecision = {
      action: 'block', ruleId, sqlstate: GatewaySqlState.insufficientPrivilege,
      message: `blocked by ${ruleId}: FunctionCall of OID ${oid}; its result cannot be masked, and this grant masks results`,
    };
    this.o.recorder.decision('mask.withheld', 'WITHHOLD', { rule: d.ruleId, reason: d.message, refSeq, details: { sqlstate: d.sqlstate } });
    return d;
  }

  private probe(d: BlockDecision, protocol: 'simple' | 'extended'): void {
    const marker = `${this.probePrefix}${++this.probeCount}`;
    this.probes.set(marker, { sqlstate: d.sqlstate, message: d.message });
    const bytes = protocol === 'simple'
      ? encodeFrontendMessage({ kind: 'Query', sql: marker })
      : encodeFrontendMessage({ kind: 'Describe', target: 'S', name: marker });
    if (protocol === 'simple') this.busy();
    else this.skipUntilSync = true;
    this.toUpstream.write(bytes);
    this.o.recorder.toUpstream(protocol === 'simple' ? 'Query' : 'Describe', bytes);
  }

  private send(msg: DecodedFrontendMessage): void {
    if (msg.kind === 'Query' || msg.kind === 'Sync' || msg.kind === 'FunctionCall') this.busy();
    this.toUpstream.forward(msg);
  }

  /** A Query, FunctionCall or Sync sent: counted when the server will answer it. */
  private busy(): void {
    if (this.outstanding === 0 && this.origins.readies > 0) this.busySince = this.o.now();
    this.outstanding = this.origins.readies;
  }

  private relay(msg: DecodedBackendMessage): void {
    this.o.recorder.upstream(msg.kind, msg.raw);
    this.toClient.forward(msg);
  }

  private rewrite(kind: 'DataRow' | 'CopyData' | 'NoticeResponse' | 'ErrorResponse' | 'NotificationResponse', bytes: Buffer): void {
    this.toClient.write(bytes);
    this.o.recorder.toClient(kind, bytes, true);
  }
}
