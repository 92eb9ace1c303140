import type ssh2 from 'ssh2';

/** An interactive shell on an ssh2 client with a pty, with helpers to type and wait for output. */
export interface ShellDriver {
  channel: ssh2.ClientChannel;
  output(): string;
  type(text: string): void;
  /** Resolves when the output so far matches; rejects after timeoutMs with the output in the message. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves once no output has arrived for quietMs (the shell has read and echoed what was typed). */
  settle(quietMs?: number): Promise<void>;
  /** Resolves once the shell shows a prompt again after the last occurrence of text. */
  waitForPromptAfter(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves once text has appeared at least n times in the output. */
  waitForCount(text: string, n: number, timeoutMs?: number): Promise<void>;
  closed: Promise<{ code: number | null }>;
}

/** Opens a pty shell (80x24, xterm) and collects what it prints. */
export function openShell(c: ssh2.Client, window: ssh2.PseudoTtyOptions = { cols: 80, rows: 24, term: 'xterm' }): Promise<ShellDriver> {
  return new Promise((resolve, reject) => {
    c.shell(window, (err, channel) => {
      if (err) return reject(err);
      let out = '';
      let code: number | null = null;
      let lastOutput = Date.now();
      channel.on('data', (b: Buffer) => {
        out += b.toString();
        lastOutput = Date.now();
      });
      channel.stderr.on('data', (b: Buffer) => (out += b.toString()));
      channel.on('exit', (c2: number | null) => (code = c2));
      const until = async (done: () => boolean, what: string, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (!done()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(out.slice(-600))}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const closed = new Promise<{ code: number | null }>((r) => channel.on('close', () => r({ code })));
      resolve({
        channel,
        closed,
        output: () => out,
        type: (text) => channel.write(text),
        waitFor: (pattern, timeoutMs = 8000) => until(() => pattern.test(out), String(pattern), timeoutMs),
        settle: (quietMs = 150) => until(() => Date.now() - lastOutput >= quietMs, 'quiet output', 5000),
        waitForPromptAfter: (text, timeoutMs = 8000) => until(() => out.includes(text) && /[#$] $/.test(out.slice(out.lastIndexOf(text))), `a prompt after ${JSON.stringify(text)}`, timeoutMs),
        waitForCount: (text, n, timeoutMs = 8000) => until(() => out.split(text).length - 1 >= n, `${n} × ${JSON.stringify(text)}`, timeoutMs),
      });
    });
  });
}
