import { z } from 'zod';

/**
 * The SSH guardrail profile format: what a `guardrails.<name>` entry with `protocol: ssh` may say.
 * Every field is optional; an absent field adds no restriction. Profiles only ever restrict:
 * several profiles on one grant combine to the strictest of each field.
 */
export const sshProfileSchema = z.strictObject({
  protocol: z.literal('ssh'),
  description: z.string().optional(),
  /** Built-in SSH profiles this one adds to (their restrictions apply too). */
  extends: z.array(z.string().min(1)).optional(),
  /** Interactive shells (`ssh host`). */
  shell: z.enum(['allow', 'deny']).optional(),
  /** Remote commands (`ssh host cmd`). */
  exec: z.enum(['allow', 'deny']).optional(),
  /** The sftp subsystem: everything, reads only, everything but deletes, or nothing. */
  sftp: z.enum(['allow', 'read-only', 'no-delete', 'deny']).optional(),
  /** Port forwarding targets, "host:port" ("*" allowed for either part); absent or [] = none. */
  forwarding: z
    .strictObject({
      local: z.array(z.string().regex(/^[^\s:]+:(\d{1,5}|\*)$/, 'expected "host:port"')).optional(),
      remote: z.array(z.string().regex(/^[^\s:]+:(\d{1,5}|\*)$/, 'expected "bind-address:port"')).optional(),
    })
    .optional(),
  commands: z
    .strictObject({
      /** When present, every command must match one of these patterns. */
      allow: z.array(z.string().min(1)).optional(),
      /** A command matching any of these patterns is refused. */
      deny: z.array(z.string().min(1)).optional(),
      /** Refuse output redirection to files (`>`, `>>`, `tee` is a command: list it yourself). */
      denyFileWrites: z.boolean().optional(),
    })
    .optional(),
  /** Commands that hide their meaning ($(...), eval, `curl | sh`, python -c): default deny when commands are guarded. */
  opaqueCommands: z.enum(['allow', 'deny']).optional(),
  /** A typed line the gateway could not follow (history recall, tab completion): refuse, or judge what was typed. */
  unknownLines: z.enum(['deny', 'judge-visible']).optional(),
  /** Extra environment variable names (or "PREFIX_*") a client may set, besides the built-in allowlist. */
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/)).optional(),
});

export type SshProfile = z.output<typeof sshProfileSchema>;
