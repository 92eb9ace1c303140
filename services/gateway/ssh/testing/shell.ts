import type ssh2 from 'ssh2';

/** An interactive shell on an ssh2 client with a pty, with helpers to type and wait for output. */
export interface ShellDriver {
  channel: ssh2.ClientChannel;
  output(): string;
  type(text: string): void;
  /** Resolves when the output so far matches; rejects after timeoutMs with the output in the message. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  closed: Promise<{ code: number | null }>;
}

/** Opens a pty shell (80x24, xterm) and collects what it prints. */
export function openShell(c: ssh2.Client, window: ssh2.PseudoTtyOptions = { cols: 80, rows: 24, term: 'xterm' }): Promise<ShellDriver> {
  return new Promise((resolve, reject) => {
    c.shell(window, (err, channel) => {
      if (err) return reject(err);
      let out = '';
      let code: number | null = null;
      channel.on('data', (b: Buffer) => (out += b.toString()));
      channel.stderr.on('data', (b: Buffer) => (out += b.toString()));
      channel.on('exit', (c2: number | null) => (code = c2));
      const closed = new Promise<{ code: number | null }>((r) => channel.on('close', () => r({ code })));
      resolve({
        channel,
        closed,
        output: () => out,
        type: (text) => channel.write(text),
        async waitFor(pattern, timeoutMs = 8000) {
          const until = Date.now() + timeoutMs;
          while (!pattern.test(out)) {
            if (Date.now() > until) throw new Error(`timed out waiting for ${String(pattern)}; output so far: ${JSON.stringify(out.slice(-600))}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
      });
    });
  });
}
