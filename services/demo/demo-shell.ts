import type ssh2 from 'ssh2';

/** A pty shell the scripted agent types into, one line at a time, waiting for the shell to answer. */
export interface DemoShell {
  output(): string;
  /** Resolves once a prompt follows output position `from` (slow shells: after 10 s, whatever came). */
  untilPrompt(from: number): Promise<void>;
  /** Types line + Enter; resolves with its output and the gateway's refusal, if it refused the line. */
  run(line: string): Promise<{ output: string; refusal: string | undefined }>;
  exit(): Promise<void>;
}

// A prompt ends in $, #, % or > and a space, maybe followed by mode-setting escapes (bracketed paste).
// eslint-disable-next-line no-control-regex
const PROMPT_END = /[#$%>] (?:\x1b\[[0-9;?]*[A-Za-z])*$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const REFUSAL = /tollgate: (command refused[^\r\n]*)/;

/** Opens a shell with a pty (100x30, xterm-256color) on an ssh2 client. */
export function openDemoShell(client: ssh2.Client): Promise<DemoShell> {
  return new Promise((resolve, reject) => {
    client.shell({ cols: 100, rows: 30, term: 'xterm-256color' }, (err, channel) => {
      if (err) return reject(err);
      let out = '';
      let lastOutput = Date.now();
      let ended: string | undefined;
      const closed = new Promise<void>((r) => channel.on('close', () => {
        ended ??= 'the shell closed';
        r();
      }));
      // A login shell that exits at once (nologin) must fail the script, not crash the demo on a write.
      channel.on('error', (e: Error) => (ended ??= e.message));
      channel.on('data', (b: Buffer) => {
        out += b.toString();
        lastOutput = Date.now();
      });
      channel.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const until = async (done: () => boolean, timeoutMs: number): Promise<void> => {
        const deadline = Date.now() + timeoutMs;
        while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      };
      const untilPrompt = (from: number) => until(() => ended !== undefined || (out.length > from && PROMPT_END.test(out.slice(from))), 10_000);
      resolve({
        output: () => out,
        untilPrompt,
        async run(line) {
          if (ended !== undefined) throw new Error(`${ended}; output: ${JSON.stringify(out.slice(-300))}`);
          const from = out.length;
          channel.write(line);
          // Enter once the echo has settled, as a person presses it: the Ctrl-C that cancels a refused
          // line makes the terminal driver drop input the shell has not read yet.
          await until(() => ended !== undefined || (out.length > from && Date.now() - lastOutput >= 150), 5_000);
          const afterEcho = out.length;
          channel.write('\r');
          await untilPrompt(afterEcho);
          const output = out.slice(afterEcho);
          return { output, refusal: REFUSAL.exec(output.replace(ANSI, ''))?.[1] };
        },
        async exit() {
          channel.write('exit\r');
          await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
        },
      });
    });
  });
}
