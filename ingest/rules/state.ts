/**
 * The memory of the rules: event times per window key, values seen per first-seen key, and the
 * last time a sequence's first step happened. Times are event times (µs), so state warmed from the
 * store answers the same as state built live. Bounded: old entries are pruned as keys are touched.
 */
export class RuleState {
  private readonly windows = new Map<string, { times: number[]; values: Map<string, number> }>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly marks = new Map<string, number>();

  /** Adds an event to a window and returns the count (or distinct values) within `widthUs` before it. */
  windowAdd(key: string, tsMicros: number, widthUs: number, distinct: string | undefined): number {
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { times: [], values: new Map() };
      this.windows.set(key, w);
    }
    const from = tsMicros - widthUs;
    if (distinct !== undefined) {
      w.values.set(distinct, Math.max(tsMicros, w.values.get(distinct) ?? 0));
      let n = 0;
      for (const [v, t] of w.values) {
        if (t < from) w.values.delete(v);
        else n++;
      }
      return n;
    }
    w.times.push(tsMicros);
    if (w.times.length > 1 && w.times[w.times.length - 2]! > tsMicros) w.times.sort((a, b) => a - b);
    let drop = 0;
    while (drop < w.times.length && w.times[drop]! < from) drop++;
    if (drop > 0) w.times.splice(0, drop);
    return w.times.filter((t) => t <= tsMicros).length;
  }

  windowReset(key: string): void {
    this.windows.delete(key);
  }

  /** Records a value; true when the key already had values and this one is new. */
  firstSeen(key: string, value: string): boolean {
    const set = this.seen.get(key);
    if (set === undefined) {
      this.seen.set(key, new Set([value]));
      return false;
    }
    if (set.has(value)) return false;
    set.add(value);
    return true;
  }

  /** Adds a value to a first-seen set without evaluating (warming from the store). */
  remember(key: string, value: string): void {
    const set = this.seen.get(key);
    if (set === undefined) this.seen.set(key, new Set([value]));
    else set.add(value);
  }

  mark(key: string, tsMicros: number): void {
    this.marks.set(key, Math.max(tsMicros, this.marks.get(key) ?? 0));
  }

  /** True when a mark was set within `withinUs` before (or at) this time. */
  markWithin(key: string, tsMicros: number, withinUs: number): boolean {
    const t = this.marks.get(key);
    return t !== undefined && t <= tsMicros && tsMicros - t <= withinUs;
  }
}
