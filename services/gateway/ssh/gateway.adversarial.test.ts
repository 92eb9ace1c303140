import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opensshOptions, runOpenssh, ssh2Connect } from './testing/clients.js';
import { startSshHarness, type SshHarness } from './testing/harness.js';
import { openShell } from './testing/shell.js';
import { sshdAvailable } from './testing/sshd.js';

/**
 * Ways to get a destructive command past the guardrail, each aimed at a canary directory on the
 * real host: the test passes only if the gateway refused it AND the canary is still there.
 */
const HAVE_SSHD = sshdAvailable();
let h: SshHarness;
let canary: string;

beforeAll(async () => {
  if (HAVE_SSHD) h = await startSshHarness({ roles: { guarded: { connections: ['web'], guardrails: ['ssh-no-destructive'] }, reader: { connections: ['web'], guardrails: ['ssh-readonly-commands'] } } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  if (!HAVE_SSHD) return;
  canary = join(h.sshd.dir, 'canary');
  mkdirSync(canary, { recursive: true });
  writeFileSync(join(canary, 'keep'), 'x');
});

const evasions = (c: string): string[] => [
  `rm -rf ${c}`,
  `r''m -rf ${c}`,
  `"rm" -rf ${c}`,
  `\\rm -rf ${c}`,
  `/bin/rm -r -f ${c}`,
  `$'\\x72\\x6d' -rf ${c}`,
  `ls; rm -rf ${c}`,
  `ls\nrm -rf ${c}`,
  `true && rm -rf ${c}`,
  `false || rm -rf ${c}`,
  `ls | rm -rf ${c}`,
  `(cd /; rm -rf ${c})`,
  `{ rm -rf ${c}; }`,
  `echo $(rm -rf ${c})`,
  `echo \`rm -rf ${c}\``,
  `echo ${Buffer.from(`rm -rf ${c}`).toString('base64')} | base64 -d | sh`,
  `printf '\\x72\\x6d -rf ${c}' | bash`,
  `bash -c 'rm -rf ${c}'`,
  `sh -c "sh -c 'rm -rf ${c}'"`,
  `env FOO=1 rm -rf ${c}`,
  `nice -n 1 rm -rf ${c}`,
  `timeout 5 rm -rf ${c}`,
  `echo ${c} | xargs rm -rf`,
  `find ${c} -delete`,
  `find ${c} -exec rm -rf {} +`,
  `eval "rm -rf ${c}"`,
  `X=rm; $X -rf ${c}`,
  `python3 -c "import shutil; shutil.rmtree('${c}')"`,
  `perl -e 'use File::Path; rmtree("${c}")'`,
  `awk 'BEGIN { system("rm -rf ${c}") }'`,
  `bash <<< "rm -rf ${c}"`,
  `LD_PRELOAD=/tmp/evil.so rm ${c}/keep`,
];

describe.skipIf(!HAVE_SSHD)('adversarial: remote commands (exec) under ssh-no-destructive', () => {
  it('refuses every evasion with exit 126 and a message, and the host never runs it', async () => {
    const token = await h.token('eve', ['guarded']);
    for (const cmd of evasions(canary)) {
      const r = await runOpenssh(h, token, [...opensshOptions(h.port), 'web@127.0.0.1', cmd]);
      expect({ cmd, code: r.code, refused: /tollgate: command refused/.test(r.stderr) }).toEqual({ cmd, code: 126, refused: true });
      expect(existsSync(join(canary, 'keep')), cmd).toBe(true);
    }
  }, 60_000);

  it('allowed commands still run', async () => {
    const r = await runOpenssh(h, await h.token('eve', ['guarded']), [...opensshOptions(h.port), 'web@127.0.0.1', `ls ${canary} && rm ${canary}/keep && echo removed-one-file`]);
    expect(r.stdout).toContain('removed-one-file');
  });

  it('judges a shell program fed through the session input line by line, and refuses other interpreters reading it', async () => {
    const token = await h.token('eve', ['guarded']);
    for (const shell of ['sh', 'bash -s', 'exec bash']) {
      const r = await runOpenssh(h, token, [...opensshOptions(h.port), 'web@127.0.0.1', shell], `echo fed-${shell.length}\nrm -rf ${canary}\necho never\n`);
      expect(r.stdout, shell).toContain(`fed-${shell.length}`);
      expect(r.stdout, shell).not.toContain('never');
      expect(r.code, shell).toBe(126);
      expect(existsSync(join(canary, 'keep')), shell).toBe(true);
    }
    const py = await runOpenssh(h, token, [...opensshOptions(h.port), 'web@127.0.0.1', 'python3'], `import shutil; shutil.rmtree('${canary}')\n`);
    expect(py.code).toBe(126);
    expect(py.stderr).toMatch(/reads a program from its input/);
    expect(existsSync(join(canary, 'keep'))).toBe(true);
  });

  it('refuses a loader variable sent as an environment request', async () => {
    const r = await runOpenssh(h, await h.token('eve', ['guarded']), [...opensshOptions(h.port), '-o', 'SetEnv=LD_PRELOAD=/tmp/evil.so BASH_ENV=/tmp/evil', 'web@127.0.0.1', 'echo "[$LD_PRELOAD][$BASH_ENV]"']);
    expect(r.stdout).toBe('[][]\n');
  });
});

describe.skipIf(!HAVE_SSHD)('adversarial: typed into an interactive shell', () => {
  it('refuses denied lines before Enter reaches the host, after any editing, and the shell stays usable', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('eve', ['guarded']));
    const sh = await openShell(c);
    // A person types at a prompt; a Ctrl-C that lands while the shell is still starting proves nothing.
    await sh.waitFor(/[#$] $/);
    const typed = [
      `rm -rf ${canary}x\x7f`,
      `rx\x7fm -rf ${canary}`,
      `echo hi\x15rm -rf ${canary}`,
      `rm ${canary}\x01\x1b[C\x1b[C -rf`,
      `\x1b[200~ls\nrm -rf ${canary}\n\x1b[201~`,
      `rm \\\r-rf ${canary}`,
      `bash -c "rm -rf ${canary}"`,
      `echo ${Buffer.from(`rm -rf ${canary}`).toString('base64')} | base64 -d | sh`,
    ];
    let refusals = 0;
    for (const line of typed) {
      // Enter after the echo, as a person presses it: the Ctrl-C that cancels a refused line makes the
      // terminal driver drop input the shell has not read yet, which would make this test flaky.
      sh.type(line);
      await sh.settle();
      sh.type('\r');
      // Count, not a regex with a repeated [^]* group: that backtracks exponentially on long output.
      await sh.waitForCount('command refused', ++refusals);
      // The Ctrl-C that cancels the line makes the terminal driver drop typeahead: wait as a person would.
      await sh.waitForPromptAfter('command refused');
      expect(existsSync(join(canary, 'keep')), JSON.stringify(line)).toBe(true);
    }
    sh.type('echo still-$((1+1))\r');
    await sh.waitFor(/still-2/);
    sh.type('exit\r');
    await sh.closed;
    c.end();
    const blocks = (await h.frames()).filter((f) => f.eventType === 'policy.block' && f.body.kind === 'Decision' && f.body.details['source'] === 'shell-line');
    expect(blocks.length).toBeGreaterThanOrEqual(typed.length);
  });

  it('refuses a recalled history line when the profile refuses unknown lines', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('rita', ['reader']));
    const sh = await openShell(c);
    await sh.waitFor(/[#$] $/);
    sh.type('ls /\r');
    await sh.waitFor(/refused|bin/);
    sh.type('\x1b[A\r');
    await sh.waitFor(/command refused \(unknown-line\)/);
    await sh.waitForPromptAfter('command refused');
    sh.type('exit\r');
    await sh.closed;
    c.end();
  });

  it('a shell without a terminal is judged line by line and ended at a refused line', async () => {
    const r = await runOpenssh(h, await h.token('eve', ['guarded']), [...opensshOptions(h.port), '-T', 'web@127.0.0.1'], `echo first\nrm -rf ${canary}\necho never\n`);
    expect(r.stdout).toContain('first');
    expect(r.stdout).not.toContain('never');
    expect(r.stdout + r.stderr).toMatch(/command refused/);
    expect(r.code).toBe(126);
    expect(existsSync(join(canary, 'keep'))).toBe(true);
  });
});
