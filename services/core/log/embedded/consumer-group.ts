import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { TollgateError } from '../../errors.js';
import type { LogIo } from './io.js';
import { OPEN_READ, fsyncDir } from './io.js';
import { writeFileAtomic } from './segment.js';

/** A consumer that belongs to a group; the group wakes it when partitions change hands. */
export interface GroupMember {
  readonly topics: readonly string[];
  wake(): void;
}

export const GROUPS_DIR = '_groups';

/**
 * A consumer group: committed offsets (persisted atomically, surviving restarts), its live members,
 * and which member owns which partition. Partitions of a topic are spread over the members
 * subscribed to it (partition p goes to member p mod n, in join order); a partition changes hands
 * only when its owner released it between batches, so two members never handle it at once.
 */
export class ConsumerGroup {
  private readonly offsets = new Map<string, Map<number, number>>();
  private readonly members: GroupMember[] = [];
  private readonly owners = new Map<string, GroupMember>();
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(readonly name: string, private readonly file: string, private readonly io: LogIo) {}

  /** Loads every group with committed offsets under dir; these count as registered for retention. */
  static async loadAll(dir: string, io: LogIo): Promise<ConsumerGroup[]> {
    const groupsDir = path.join(dir, GROUPS_DIR);
    const names = await readdir(groupsDir).catch(() => [] as string[]);
    const groups: ConsumerGroup[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = path.join(groupsDir, name);
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as { group: string; offsets: Record<string, Record<string, number>> };
        const group = new ConsumerGroup(data.group, file, io);
        for (const [topic, parts] of Object.entries(data.offsets)) {
          for (const [p, off] of Object.entries(parts)) group.setCommitted(topic, Number(p), off);
        }
        groups.push(group);
      } catch (err) {
        throw new TollgateError('TG_ERR_LOG_CORRUPT', `consumer group offsets file ${file} is unreadable`, { cause: err });
      }
    }
    return groups;
  }

  static fileFor(dir: string, group: string): string {
    return path.join(dir, GROUPS_DIR, `${Buffer.from(group, 'utf8').toString('base64url')}.json`);
  }

  committed(topic: string, partition: number): number | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  /** True when the group has committed or is consuming anything of topic. */
  knows(topic: string): boolean {
    return this.offsets.has(topic) || this.members.some((m) => m.topics.includes(topic));
  }

  /** Records the next offset to read and persists the group's offsets; writes coalesce. */
  commit(topic: string, partition: number, nextOffset: number): Promise<void> {
    this.setCommitted(topic, partition, nextOffset);
    return this.persist();
  }

  join(member: GroupMember): void {
    this.members.push(member);
    this.wakeAll();
  }

  leave(member: GroupMember): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
    for (const [tp, owner] of this.owners) if (owner === member) this.owners.delete(tp);
    this.wakeAll();
  }

  /** Whether member should own topic/partition under the current membership. */
  assigned(member: GroupMember, topic: string, partition: number): boolean {
    const subscribed = this.members.filter((m) => m.topics.includes(topic));
    return partition % subscribed.length === subscribed.indexOf(member);
  }

  /** Takes a partition if nobody holds it; true when member now owns it. */
  claim(member: GroupMember, topic: string, partition: number): boolean {
    const key = `${topic}\u0000${partition}`;
    const owner = this.owners.get(key);
    if (owner !== undefined && owner !== member) return false;
    this.owners.set(key, member);
    return true;
  }

  release(member: GroupMember, topic: string, partition: number): void {
    const key = `${topic}\u0000${partition}`;
    if (this.owners.get(key) === member) this.owners.delete(key);
    this.wakeAll();
  }

  /** Resolves when every commit made so far is on disk. */
  async flushed(): Promise<void> {
    await (this.queued ?? this.writing);
  }

  private setCommitted(topic: string, partition: number, nextOffset: number): void {
    let parts = this.offsets.get(topic);
    if (parts === undefined) this.offsets.set(topic, (parts = new Map<number, number>()));
    parts.set(partition, nextOffset);
  }

  private wakeAll(): void {
    for (const m of this.members) m.wake();
  }

  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.writing) {
      this.writing = this.write().finally(() => { this.writing = undefined; });
      return this.writing;
    }
    this.queued = this.writing.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.persist();
    });
    return this.queued;
  }

  private async write(): Promise<void> {
    const offsets: Record<string, Record<string, number>> = {};
    for (const [topic, parts] of this.offsets) offsets[topic] = Object.fromEntries(parts);
    const io = this.io;
    await writeFileAtomic(this.file, JSON.stringify({ group: this.name, offsets }), {
      file: async (p) => {
        const fd = await io.open(p, OPEN_READ);
        try { await io.fsync(fd); } finally { await io.close(fd); }
      },
      dir: (d) => fsyncDir(io, d),
    });
  }
}
