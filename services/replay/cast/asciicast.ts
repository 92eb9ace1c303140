/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one JSON
 * array per event: `[seconds, code, data]` with code "o" (output), "i" (input), "r" (resize,
 * "COLSxROWS") or "m" (marker, its label). Pure: recorded frames in, text lines out.
 *
 * Recording conventions (ingest/README.md): ssh.data with direction UPSTREAM_TO_GATEWAY or
 * GATEWAY_TO_CLIENT (the gateway's own notices, such as a refusal) is terminal output,
 * CLIENT_TO_GATEWAY is input; ssh.pty carries JSON {cols, rows, term}; ssh.resize JSON
 * {cols, rows}. Kubernetes exec: k8s.stream channel 1/2 is output, 0 input, 4 resize JSON
 * {Width, Height}.
 */

export interface CastFrame {
  seq: number;
  tsUs: number;
  eventType: string;
  direction: string;
  channel: number | null;
  payload: Buffer;
}

export interface CastMarker {
  tsUs: number;
  label: string;
}

export interface TerminalSize {
  cols: number;
  rows: number;
  term?: string;
}

export const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };

/** The header line. `timestamp` is the session start in epoch seconds. */
export function castHeader(size: TerminalSize, startUs: number, title: string): string {
  const header: Record<string, unknown> = { version: 2, width: size.cols, height: size.rows, timestamp: Math.floor(startUs / 1e6), title };
  if (size.term !== undefined) header['env'] = { TERM: size.term };
  return JSON.stringify(header);
}

/** Reads {cols, rows, term} from an ssh.pty / ssh.resize payload; undefined when unusable. */
export function parseSize(payload: Buffer): TerminalSize | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const cols = o['cols'] ?? o['Width'];
  const rows = o['rows'] ?? o['Height'];
  const term = o['term'];
  if (!isDimension(cols) || !isDimension(rows)) return undefined;
  return typeof term === 'string' && term.length <= 64 ? { cols, rows, term } : { cols, rows };
}

const isDimension = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 10_000;

const isOutput = (f: CastFrame) =>
  f.eventType === 'ssh.data' ? f.direction === 'UPSTREAM_TO_GATEWAY' : f.eventType === 'k8s.stream' && (f.channel === 1 || f.channel === 2);
const isNotice = (f: CastFrame) => f.eventType === 'ssh.data' && f.direction === 'GATEWAY_TO_CLIENT';
const isInput = (f: CastFrame) => (f.eventType === 'ssh.data' ? f.direction === 'CLIENT_TO_GATEWAY' : f.eventType === 'k8s.stream' && f.channel === 0);
const isSize = (f: CastFrame) => f.eventType === 'ssh.resize' || f.eventType === 'ssh.pty' || (f.eventType === 'k8s.stream' && f.channel === 4);

/**
 * Turns frames (ascending seq) and markers into event lines with times relative to baseUs. Times
 * never go backwards (a marker or frame stamped earlier than the previous event is clamped). UTF-8
 * sequences split across frames are carried over per direction, so every line is valid JSON text.
 */
export class CastEventWriter {
  private last = 0;
  private readonly out = new TextDecoder('utf-8', { fatal: false });
  private readonly inp = new TextDecoder('utf-8', { fatal: false });
  // The gateway writes each notice whole, between upstream chunks that may split a character.
  private readonly notice = new TextDecoder('utf-8', { fatal: false });
  private markerIndex = 0;

  /** `floorSec`: no event is stamped earlier (a segment's start). */
  constructor(
    private readonly baseUs: number,
    private readonly markers: readonly CastMarker[] = [],
    floorSec = 0,
  ) {
    this.last = floorSec;
  }

  /** Event lines for the next frames; markers stamped before a frame are emitted before it. */
  write(frames: readonly CastFrame[]): string[] {
    const lines: string[] = [];
    for (const f of frames) {
      this.flushMarkers(f.tsUs, lines);
      if (isOutput(f)) this.push(lines, f.tsUs, 'o', this.out.decode(f.payload, { stream: true }));
      else if (isNotice(f)) this.push(lines, f.tsUs, 'o', this.notice.decode(f.payload));
      else if (isInput(f)) this.push(lines, f.tsUs, 'i', this.inp.decode(f.payload, { stream: true }));
      else if (isSize(f)) {
        const size = parseSize(f.payload);
        if (size !== undefined) this.push(lines, f.tsUs, 'r', `${size.cols}x${size.rows}`);
      }
    }
    return lines;
  }

  /** Remaining markers up to untilUs (all when undefined) and any buffered partial characters. */
  end(untilUs?: number): string[] {
    const lines: string[] = [];
    this.flushMarkers(untilUs ?? Number.POSITIVE_INFINITY, lines);
    const tail = this.out.decode();
    if (tail !== '') this.push(lines, this.baseUs + this.last * 1e6, 'o', tail);
    return lines;
  }

  private flushMarkers(uptoUs: number, lines: string[]): void {
    for (let m = this.markers[this.markerIndex]; m !== undefined && m.tsUs <= uptoUs; m = this.markers[++this.markerIndex]) {
      if (m.tsUs >= this.baseUs) this.push(lines, m.tsUs, 'm', m.label);
    }
  }

  private push(lines: string[], tsUs: number, code: string, data: string): void {
    if (data === '' && code !== 'm') return;
    const t = Math.max(this.last, (tsUs - this.baseUs) / 1e6);
    this.last = t;
    lines.push(`[${t.toFixed(6)}, ${JSON.stringify(code)}, ${JSON.stringify(data)}]`);
  }
}

/** Seconds between two µs stamps, rounded to the µs exactly as event lines print them. */
export function secondsBetween(baseUs: number, tsUs: number): number {
  return Number(((tsUs - baseUs) / 1e6).toFixed(6));
}

/** One "o" event at time 0 holding the output that rebuilds the screen before a seek point. */
export function prefixEvent(output: readonly Buffer[]): string | undefined {
  const text = new TextDecoder('utf-8').decode(Buffer.concat(output));
  return text === '' ? undefined : `[0.000000, "o", ${JSON.stringify(text)}]`;
}

/** Escape sequences after which the visible screen no longer depends on earlier output. */
export const SCREEN_RESETS: readonly string[] = ['\x1b[2J', '\x1bc', '\x1b[?1049h'];
