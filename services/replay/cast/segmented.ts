import { CastEventWriter, DEFAULT_SIZE, secondsBetween, type CastMarker, type TerminalSize } from './asciicast.js';
import type { RecordingReader } from './recording-reader.js';
import { LOOKBACK_FRAMES, MAX_PREFIX_BYTES } from './segment.js';

/**
 * asciinema-player's segmented recordings (player 3.17 `format: 'segmented'`): an index
 * `{version: 1, duration, term, markers, segments: [{start, url}]}` and per segment
 * `{snapshot: {cols, rows, init}, events}` with event times in seconds from the recording start.
 * The player loads only the segment holding the playback position (and prefetches the next), so a
 * seek costs one segment. `init` is the output that rebuilds the screen at the segment start (see
 * segment.ts for how and its limits). Rules the player checks: the first segment starts at 0,
 * starts increase and stay below the duration, a later segment's first event is at its start, the
 * final segment's last event is at the duration; every time here is rounded to the µs the same way.
 */
export const SEGMENT_EVENTS = 5_000;

export interface SegmentedIndex {
  version: 1;
  duration: number;
  term: { cols: number; rows: number };
  markers: Array<[number, string]>;
  segments: Array<{ start: number; url: string }>;
}

/** Builds the index; urlFor(fromSeq, start, end) names each segment (end undefined for the last). */
export async function segmentedIndex(
  reader: RecordingReader,
  markers: readonly CastMarker[],
  urlFor: (fromSeq: number, start: number, end: number | undefined, duration: number) => string,
  every = SEGMENT_EVENTS,
): Promise<SegmentedIndex | undefined> {
  const first = await reader.first();
  const lastUs = await reader.lastTsUs();
  if (first === undefined || lastUs === undefined) return undefined;
  const size = (await reader.initialSize()) ?? DEFAULT_SIZE;
  const lastMarker = markers.reduce((max, m) => Math.max(max, m.tsUs), first.tsUs);
  const duration = secondsBetween(first.tsUs, Math.max(lastUs, lastMarker));
  const bounds: Array<{ seq: number; start: number }> = [];
  for (const c of await reader.checkpoints(every)) {
    const start = bounds.length === 0 ? 0 : secondsBetween(first.tsUs, c.tsUs);
    const prev = bounds[bounds.length - 1];
    if (prev !== undefined && (start <= prev.start || start >= duration)) continue;
    bounds.push({ seq: bounds.length === 0 ? first.seq : c.seq, start });
  }
  if (bounds.length === 0) bounds.push({ seq: first.seq, start: 0 });
  return {
    version: 1,
    duration,
    term: { cols: size.cols, rows: size.rows },
    markers: markers.filter((m) => m.tsUs >= first.tsUs).map((m) => [secondsBetween(first.tsUs, m.tsUs), m.label]),
    segments: bounds.map((b, i) => ({ start: b.start, url: urlFor(b.seq, b.start, bounds[i + 1]?.start, duration) })),
  };
}

export interface SegmentRange {
  fromSeq: number;
  start: number;
  /** Start of the next segment; undefined for the last one. */
  end: number | undefined;
  duration: number;
}

/** One segment's payload: the snapshot that rebuilds the screen at its start, then its events. */
export async function segmentPayload(reader: RecordingReader, markers: readonly CastMarker[], range: SegmentRange, maxEvents: number) {
  const first = await reader.first();
  if (first === undefined) return undefined;
  const startUs = first.tsUs + Math.round(range.start * 1e6);
  const endUs = range.end === undefined ? Number.MAX_SAFE_INTEGER : first.tsUs + Math.round(range.end * 1e6);
  const initial = await reader.initialSize();
  let size: TerminalSize = initial ?? DEFAULT_SIZE;
  let init = '';
  if (range.start > 0) {
    size = (await reader.sizeBefore(range.fromSeq)) ?? size;
    const rebuild = await reader.rebuildStart(range.fromSeq, first.seq, LOOKBACK_FRAMES);
    init = new TextDecoder('utf-8').decode(Buffer.concat(await reader.outputBetween(rebuild.from, range.fromSeq, MAX_PREFIX_BYTES)));
  }
  const inRange = markers.filter((m) => m.tsUs >= startUs && m.tsUs < endUs);
  const writer = new CastEventWriter(first.tsUs, inRange, range.start);
  const frames = await reader.framesBefore(range.fromSeq, endUs, maxEvents);
  const lines = [...writer.write(frames), ...writer.end(range.end === undefined ? undefined : endUs - 1)];
  const events = lines.map((l) => JSON.parse(l) as [number, string, string]);
  if (events[0]?.[0] !== range.start) events.unshift([range.start, 'o', '']);
  if (range.end === undefined && events[events.length - 1]?.[0] !== range.duration) events.push([range.duration, 'o', '']);
  return { snapshot: { cols: size.cols, rows: size.rows, init }, events };
}
