import { buildView } from './text-view.js';

/**
 * Passwords typed at a no-echo prompt (sudo, su, ssh, mysql -p, psql) never show in terminal output,
 * and nothing about "hunter2\r" in the input stream marks it as a secret. The recorder asks this
 * about the tail of the output before each input chunk and, while it holds, replaces the input up to
 * the next line end with INPUT_WITHHELD.
 */
export const INPUT_WITHHELD = '[WITHHELD:password-input]';

// The prompt's last line: "[sudo] password for alice: ", "Password:", "Enter passphrase for key '…': ",
// "Enter PEM pass phrase:", "Verification code: ", "Password for user postgres: ". Escapes stripped first.
const promptLine = /(?:pass(?:word|phrase| phrase)|passcode|PIN|verification code|one-time code|token)\b[^\n]{0,120}?[:?]\s*$/i;

/** True when the terminal output ends in what looks like a secret prompt (the next input line is secret). */
export function endsWithPasswordPrompt(outputTail: string): boolean {
  const tail = buildView(outputTail.slice(-512), true).text;
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1).replace(/\r/g, '');
  return promptLine.test(lastLine);
}

/**
 * Splits an input chunk typed at a secret prompt: the part up to and including the first CR or LF is
 * the secret (replaced), the rest is ordinary input. `done` tells the caller the prompt is answered.
 */
export function withholdPromptInput(input: string): { text: string; done: boolean } {
  const end = input.search(/[\r\n]/);
  if (end === -1) return { text: input.length === 0 ? '' : INPUT_WITHHELD, done: false };
  return { text: (end === 0 ? '' : INPUT_WITHHELD) + input.slice(end), done: true };
}
