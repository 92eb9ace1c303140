import type { StoredFrame } from '../model/stored-frame.js';
import type { CommandRow, Fact, QueryRow, SessionRow } from './rows.js';
import { SessionProjection, type ProjectionSinks } from './session-projection.js';

/** Rows and facts one batch produced; a row changed twice in a batch appears once, as it ended. */
export class ProjectionOutput implements ProjectionSinks {
  readonly queryRows = new Map<string, QueryRow>();
  readonly commandRows = new Map<string, CommandRow>();
  readonly touched = new Set<SessionProjection>();
  readonly facts: Fact[] = [];
  /** Frames the projection could not read (kept in frames, skipped here). */
  unreadable = 0;
  /**
   * Frames whose (session, seq) was already folded: the recorder delivered them twice (a late
   * append after a timeout, a spool replayed after a crash). They get new log offsets, so offset
   * tokens cannot catch them; they must not be stored again.
   */
  readonly repeated = new Set<StoredFrame>();

  readonly query = {
    row: (r: QueryRow): void => {
      this.queryRows.set(`${r.session_id}\u0000${r.seq}`, r);
    },
    finished: (r: QueryRow): void => {
      this.facts.push(this.current!.fact('query', { seq: r.seq, tsMicros: r.ts }, { ...r }));
    },
  };

  readonly command = {
    row: (r: CommandRow): void => {
      this.commandRows.set(`${r.session_id}\u0000${r.seq}`, r);
    },
    created: (r: CommandRow): void => {
      this.facts.push(this.current!.fact('command', { seq: r.seq, tsMicros: r.ts }, { ...r, command_kind: r.kind }));
    },
  };

  /** The session whose frame is being folded (facts take its identity fields). */
  current: SessionProjection | undefined;

  fact(f: Fact): void {
    this.facts.push(f);
  }

  /** Rows to insert, copied so later batches cannot change them after they were handed over. */
  rows(): { queries: QueryRow[]; commands: CommandRow[]; sessions: SessionRow[] } {
    return {
      queries: [...this.queryRows.values()].map((r) => ({ ...r, masking: [...r.masking] })),
      commands: [...this.commandRows.values()].map((r) => ({ ...r })),
      sessions: [...this.touched].map((s) => s.row()),
    };
  }
}

/**
 * Folds frames of many sessions, in log order, into their projections. Sessions not seen yet are
 * created on their first frame; `known` tells whether a session's earlier frames must be loaded
 * from the store first (the caller does that before handing the batch over).
 */
export class Projector {
  readonly sessions = new Map<string, SessionProjection>();

  /** The projection of a session, created empty when new. */
  session(id: string): SessionProjection {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = new SessionProjection(id);
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Folds a batch; returns its output. Open queries are emitted as they stand. */
  project(frames: readonly StoredFrame[], out = new ProjectionOutput()): ProjectionOutput {
    for (const f of frames) this.fold(f, out);
    for (const s of out.touched) {
      out.current = s;
      s.queries.flushOpen(out.query);
    }
    return out;
  }

  /** Folds one frame into its session. */
  fold(f: StoredFrame, out: ProjectionOutput): void {
    const s = this.session(f.sessionId);
    out.current = s;
    try {
      if (s.apply(f, out)) out.touched.add(s);
      else out.repeated.add(f);
    } catch {
      // A stored frame the projection cannot read (a withheld or malformed payload) adds nothing
      // but must not stop the pipeline: the frame itself is kept, and the next ones are folded.
      out.touched.add(s);
      out.unreadable++;
    }
  }

  /** Forgets ended sessions (their rows are final); called after a batch was written. */
  evictEnded(): void {
    for (const [id, s] of this.sessions) if (s.endedAt !== null) this.sessions.delete(id);
  }
}
