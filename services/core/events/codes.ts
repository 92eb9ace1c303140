/**
 * Stable event types: a dotted name and a numeric code, never renamed, never reused. Ranges:
 * 1xxx gateway lifecycle and decisions, 2xxx database, 3xxx SSH, 4xxx Kubernetes, 9xxx ingest.
 * schemas/README.md lists them for readers outside the code; a test keeps the two in step.
 */
export const EventTypes = {
  'session.start': 1000,
  'session.end': 1001,
  'auth.ok': 1100,
  'auth.fail': 1101,
  'policy.allow': 1200,
  'policy.block': 1201,
  'policy.hold': 1202,
  'policy.observe': 1203,
  'mask.applied': 1300,
  'mask.withheld': 1301,
  'recording.degraded': 1400,
  'recording.recovered': 1401,

  'db.frame': 2000,
  'db.startup': 2001,
  'db.query': 2002,
  'db.parse': 2003,
  'db.bind': 2004,
  'db.execute': 2005,
  'db.row': 2006,
  'db.complete': 2007,
  'db.error': 2008,
  'db.copy': 2009,
  'db.function': 2010,
  'db.describe': 2011,
  'db.notice': 2012,

  'ssh.frame': 3000,
  'ssh.channel.open': 3001,
  'ssh.exec': 3002,
  'ssh.shell': 3003,
  'ssh.pty': 3004,
  'ssh.resize': 3005,
  'ssh.data': 3006,
  'ssh.exit': 3007,
  'ssh.sftp': 3008,
  'ssh.forward': 3009,
  'ssh.env': 3010,
  'ssh.signal': 3011,
  'ssh.channel.close': 3012,

  'k8s.request': 4000,
  'k8s.response': 4001,
  'k8s.exec': 4002,
  'k8s.stream': 4003,

  'ingest.dead_letter': 9000,
} as const;

export type EventType = keyof typeof EventTypes;

const byCode = new Map<number, EventType>(
  Object.entries(EventTypes).map(([name, code]) => [code, name as EventType]),
);

export function eventCode(type: EventType): number {
  return EventTypes[type];
}

/** The name for a code, or undefined for a code this build does not know (a newer writer). */
export function eventTypeOf(code: number): EventType | undefined {
  return byCode.get(code);
}
