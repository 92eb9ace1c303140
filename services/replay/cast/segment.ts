import { CastEventWriter, DEFAULT_SIZE, castHeader, prefixEvent, type CastMarker } from './asciicast.js';
import type { RecordingReader } from './recording-reader.js';

/**
 * Seeking without loading the whole recording. A cast "from T" is a segment: its header carries the
 * terminal size in force at T; its first event (time 0) is the output that rebuilds the screen at T,
 * replayed from the last screen reset (clear, reset, alternate screen) within LOOKBACK frames before
 * T; then the events from T on, with times relative to T. Limits: when no reset lies in the window,
 * the screen is rebuilt from the window only (exact = false: lines scrolled in before it, and modes
 * such as colours set before it, may be missing); output that leaves the alternate screen restores a
 * main screen the segment never saw.
 */
export const LOOKBACK_FRAMES = 20_000;
export const MAX_PREFIX_BYTES = 1024 * 1024;
const PAGE = 5_000;

export interface CastSegment {
  /** Where the segment starts, in seconds from the session start. */
  offsetSec: number;
  /** True when the screen state at the segment start is rebuilt exactly. */
  exact: boolean;
  /** Start of the next segment (seconds from the session start) when maxEvents cut this one short. */
  nextSec: number | undefined;
  /** Header, prefix and event lines. */
  lines: AsyncIterable<string>;
}

export interface SegmentRequest {
  fromSec: number;
  /** Undefined: to the end of the recording, streamed page by page. */
  maxEvents: number | undefined;
  markers: readonly CastMarker[];
  title: string;
}

/** Plans and returns a cast segment, or undefined when the session has no frames. */
export async function castSegment(reader: RecordingReader, req: SegmentRequest): Promise<CastSegment | undefined> {
  const first = await reader.first();
  if (first === undefined) return undefined;
  const initial = await reader.initialSize();
  const fromUs = first.tsUs + Math.round(req.fromSec * 1e6);
  const startSeq = req.fromSec <= 0 ? first.seq : await reader.seqAt(fromUs);
  const baseUs = req.fromSec <= 0 ? first.tsUs : fromUs;
  const atSeek = req.fromSec > 0 && startSeq !== undefined ? await reader.sizeBefore(startSeq) : undefined;
  const size = { ...(atSeek ?? initial ?? DEFAULT_SIZE), ...(initial?.term === undefined ? {} : { term: initial.term }) };
  let prefix: string | undefined;
  let exact = true;
  if (req.fromSec > 0 && startSeq !== undefined) {
    const rebuild = await reader.rebuildStart(startSeq, first.seq, LOOKBACK_FRAMES);
    exact = rebuild.exact;
    prefix = prefixEvent(await reader.outputBetween(rebuild.from, startSeq, MAX_PREFIX_BYTES));
  }
  const header = castHeader(size, first.tsUs, `tollgate session ${reader.sessionId}`);
  const writer = new CastEventWriter(baseUs, req.markers);
  if (req.maxEvents === undefined) {
    return { offsetSec: Math.max(0, req.fromSec), exact, nextSec: undefined, lines: streamAll(reader, startSeq, header, prefix, writer) };
  }
  const frames = startSeq === undefined ? [] : await reader.framesFrom(startSeq, req.maxEvents + 1);
  const more = frames.length > req.maxEvents ? frames.pop() : undefined;
  const lines = [header, ...(prefix === undefined ? [] : [prefix]), ...writer.write(frames), ...writer.end(more?.tsUs)];
  return {
    offsetSec: Math.max(0, req.fromSec),
    exact,
    nextSec: more === undefined ? undefined : (more.tsUs - first.tsUs) / 1e6,
    lines: toAsync(lines),
  };
}

async function* streamAll(reader: RecordingReader, startSeq: number | undefined, header: string, prefix: string | undefined, writer: CastEventWriter): AsyncGenerator<string> {
  yield header;
  if (prefix !== undefined) yield prefix;
  for (let seq = startSeq; seq !== undefined; ) {
    const page = await reader.framesFrom(seq, PAGE);
    yield* writer.write(page);
    const last = page[page.length - 1];
    seq = page.length < PAGE || last === undefined ? undefined : last.seq + 1;
  }
  yield* writer.end();
}

async function* toAsync(lines: readonly string[]): AsyncGenerator<string> {
  await Promise.resolve();
  yield* lines;
}
