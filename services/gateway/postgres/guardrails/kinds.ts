/**
 * What a statement does, as bits: one query can do many things at once (a writable CTE inside a
 * SELECT, a DO block with a GRANT), and a bitmask lets a profile test all of them in one AND.
 */
export const Kind = {
  read: 1 << 0,
  write: 1 << 1,
  ddl: 1 << 2,
  privilege: 1 << 3,
  'server-config': 1 << 4,
  'server-files': 1 << 5,
  transaction: 1 << 6,
  utility: 1 << 7,
  'unbounded-write': 1 << 8,
  lock: 1 << 9,
  procedure: 1 << 10,
  notify: 1 << 11,
  maintenance: 1 << 12,
  'search-path': 1 << 13,
  'read-write-transaction': 1 << 14,
  session: 1 << 15,
} as const;

export type KindName = keyof typeof Kind;

export const KIND_NAMES = Object.keys(Kind) as KindName[];

/** Lists the kind names set in a mask, in declaration order. */
export function kindNames(mask: number): KindName[] {
  return KIND_NAMES.filter((name) => (mask & Kind[name]) !== 0);
}

/** ORs kind names into one mask. */
export function maskOf(...names: KindName[]): number {
  let mask = 0;
  for (const name of names) mask |= Kind[name];
  return mask;
}
