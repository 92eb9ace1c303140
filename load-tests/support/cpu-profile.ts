import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of V8's .cpuprofile JSON (as `node --cpu-prof` writes it) that the summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  functionName: string;
  /** Path relative to the repository (or node: / node_modules URL as V8 names it). */
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  percentOfBusy: number;
}

export interface ProfileSummary {
  /** Whether only samples inside the measured window were counted (else the whole profile). */
  windowed: boolean;
  sampledMs: number;
  idleMs: number;
  busyMs: number;
  topFunctions: SelfTimeEntry[];
  /** Self time summed per file, a coarser view of where the time goes. */
  topFiles: Array<{ location: string; selfMs: number; percentOfBusy: number }>;
}

/** Time window in V8 profile time (µs of the monotonic clock, the same clock as process.hrtime). */
export interface Window {
  startUs: number;
  endUs: number;
}

function location(url: string, line: number, root: string): string {
  if (url === '') return '';
  let path = url;
  if (url.startsWith('file://')) {
    path = relative(root, fileURLToPath(url));
  }
  // Modules loaded through tsx report line 0 for every function: a line is shown only when V8 knows one.
  return line > 0 ? `${path}:${line + 1}` : path;
}

/**
 * Sums self time per function (callFrame functionName + url) from a .cpuprofile, counting only the
 * samples inside window when given (start-up and shutdown then stay out of the figures).
 */
export function summariseCpuProfile(file: string, root: string, window?: Window, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let windowed = false;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (window !== undefined && samples.length > 0) {
    let t = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0;
      if (t < window.startUs || t > window.endUs) continue;
      // A sample stands for the time until the next one.
      const span = deltas[i + 1] ?? 0;
      const id = samples[i] ?? -1;
      selfUs.set(id, (selfUs.get(id) ?? 0) + span);
      windowed = true;
    }
  }
  if (!windowed) {
    const interval = samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 1000;
    for (const n of profile.nodes) if ((n.hitCount ?? 0) > 0) selfUs.set(n.id, (n.hitCount ?? 0) * interval);
  }

  const byFunction = new Map<string, { functionName: string; location: string; us: number }>();
  const byFile = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = `${functionName}\u0000${url}`;
    const entry = byFunction.get(key) ?? { functionName: functionName === '' ? '(anonymous)' : functionName, location: location(url, lineNumber, root), us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const fileKey = url === '' ? functionName : location(url, -1, root);
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => Math.round((us / Math.max(1, busyUs)) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    windowed,
    sampledMs: ms(totalUs),
    idleMs: ms(idleUs),
    busyMs: ms(busyUs),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ functionName: e.functionName, location: e.location, selfMs: ms(e.us), percentOfBusy: pct(e.us) })),
    topFiles: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([loc, us]) => ({ location: loc, selfMs: ms(us), percentOfBusy: pct(us) })),
  };
}
