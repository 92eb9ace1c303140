import { mkdir, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { TollgateError } from '../../errors.js';
import type { LogIo } from './io.js';
import { OPEN_READ, fsyncDir } from './io.js';
import { PartitionLog } from './partition-log.js';
import type { RecoveryNote } from './partition-recovery.js';
import { recoverPartition } from './partition-recovery.js';
import { Segment, writeFileAtomic } from './segment.js';
import { SparseIndex } from './segment-index.js';

export const TOPIC_META = 'topic.json';
const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;

export interface TopicConfig {
  root: string;
  io: LogIo;
  segmentBytes: number;
  indexIntervalBytes: number;
  maxFrameBytes: number;
}

/** Rejects names that are not safe as one directory name (and so could escape the data dir). */
export function validateTopicName(topic: string): void {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
    throw new TollgateError('TG_ERR_CONFIG',
      `topic name ${JSON.stringify(topic)} is invalid: use 1-249 of A-Z a-z 0-9 . _ -, not starting with . _ or -`,
      { context: { topic } });
  }
}

/**
 * One topic: its partitions and, on disk, `<root>/<topic>/topic.json` holding the partition count.
 * The count is fixed when the topic is first written, because changing it would move keys.
 */
export class Topic {
  readonly partitions: PartitionLog[] = [];
  private creating: Promise<void> | undefined;

  private constructor(readonly name: string, readonly dir: string, private readonly config: TopicConfig, private onDisk: boolean) {}

  /** A topic that exists only in memory until its first write creates the directories. */
  static fresh(name: string, count: number, config: TopicConfig): Topic {
    const topic = new Topic(name, path.join(config.root, name), config, false);
    for (let p = 0; p < count; p++) topic.addPartition(p, undefined);
    return topic;
  }

  /** Opens a topic directory, recovering every partition. */
  static async load(name: string, config: TopicConfig, notes: RecoveryNote[]): Promise<Topic | undefined> {
    const dir = path.join(config.root, name);
    const meta = await readFile(path.join(dir, TOPIC_META), 'utf8').catch(() => undefined);
    // No meta: creation was interrupted before any segment could be written; recreate on demand.
    // Segments without it mean the file was lost: recreating would write offset 0 over them.
    if (meta === undefined) return Topic.refuseOrphanSegments(dir);
    const count = (JSON.parse(meta) as { partitions: number }).partitions;
    const topic = new Topic(name, dir, config, true);
    for (let p = 0; p < count; p++) {
      const { segments, note } = await recoverPartition(path.join(dir, String(p)), {
        io: config.io, maxFrameBytes: config.maxFrameBytes, indexIntervalBytes: config.indexIntervalBytes,
      });
      notes.push(note);
      topic.addPartition(p, segments);
    }
    return topic;
  }

  private static async refuseOrphanSegments(dir: string): Promise<undefined> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const files = await readdir(path.join(dir, entry.name));
      if (files.some((f) => f.endsWith('.seg'))) {
        throw new TollgateError('TG_ERR_LOG_CORRUPT',
          `event log topic directory ${dir} holds segments but no ${TOPIC_META}; refusing to recreate the topic over them. ` +
          `Restore ${TOPIC_META} ({"partitions": N}, N = the number of partition directories) or move the directory aside.`,
          { context: { dir } });
      }
    }
    return undefined;
  }

  /** Lists topic directories under root (groups and lock files live beside them, prefixed). */
  static async names(root: string): Promise<string[]> {
    const entries = await readdir(root, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && TOPIC_NAME.test(e.name)).map((e) => e.name);
  }

  /** Creates the directories and meta file once, durably, before the first segment is written. */
  ensureOnDisk(): Promise<void> {
    if (this.onDisk) return Promise.resolve();
    this.creating ??= this.create().then(() => { this.onDisk = true; });
    return this.creating;
  }

  private async create(): Promise<void> {
    const { io } = this.config;
    await mkdir(this.dir, { recursive: true });
    for (const p of this.partitions) await mkdir(p.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, TOPIC_META), JSON.stringify({ partitions: this.partitions.length }), {
      file: async (f) => {
        const fd = await io.open(f, OPEN_READ);
        try { await io.fsync(fd); } finally { await io.close(fd); }
      },
      dir: (d) => fsyncDir(io, d),
    });
    await fsyncDir(io, this.config.root);
  }

  private addPartition(p: number, segments: Segment[] | undefined): void {
    const dir = path.join(this.dir, String(p));
    const { segmentBytes, indexIntervalBytes, io } = this.config;
    const segs = segments ?? [new Segment(0, dir, new SparseIndex(indexIntervalBytes))];
    this.partitions.push(new PartitionLog(this.name, p, dir, segs, {
      segmentBytes, indexIntervalBytes, io, ensureDir: () => this.ensureOnDisk(),
    }));
  }
}
