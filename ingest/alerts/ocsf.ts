import type { Alert } from '../../services/core/events/types.js';

const SEVERITY_ID: Record<string, number> = { UNKNOWN: 0, INFO: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };

/**
 * An alert as an OCSF 1.1 Detection Finding (category 2 Findings, class 2004, activity 1 Create),
 * for SIEMs that ingest OCSF. tollgate's own fields the schema has no place for go in `unmapped`.
 */
export function ocsfDetectionFinding(a: Alert): Record<string, unknown> {
  let details: unknown = {};
  try {
    details = JSON.parse(a.detailsJson);
  } catch {
    details = { raw: a.detailsJson };
  }
  return {
    category_uid: 2,
    class_uid: 2004,
    activity_id: 1,
    type_uid: 200401,
    severity_id: SEVERITY_ID[a.severity] ?? 0,
    severity: a.severity.charAt(0) + a.severity.slice(1).toLowerCase(),
    status_id: 1,
    time: Math.floor(a.tsMicros / 1000),
    message: a.title,
    metadata: { version: '1.1.0', product: { name: 'tollgate', vendor_name: 'tollgate' }, uid: a.alertId },
    finding_info: {
      uid: a.alertId,
      title: a.title,
      analytic: { uid: a.ruleId, name: a.ruleId, type_id: 1, type: 'Rule' },
      related_events: a.seq === null ? [] : [{ uid: `${a.sessionId ?? ''}/${a.seq}` }],
    },
    actor: { user: { name: a.subject, uid: a.subject }, session: { uid: a.sessionId ?? '' } },
    unmapped: details,
  };
}

/** tollgate's own webhook body: the alert with its details parsed. */
export function alertBody(a: Alert): Record<string, unknown> {
  let details: unknown = {};
  try {
    details = JSON.parse(a.detailsJson);
  } catch {
    details = { raw: a.detailsJson };
  }
  return {
    alertId: a.alertId, ruleId: a.ruleId, severity: a.severity, title: a.title, subject: a.subject,
    sessionId: a.sessionId, seq: a.seq, time: new Date(Math.floor(a.tsMicros / 1000)).toISOString(), details,
  };
}
