import { describe, expect, it } from 'vitest';
import { endsWithPasswordPrompt, INPUT_WITHHELD, withholdPromptInput } from './password-prompt.js';

describe('secret prompts in terminal output', () => {
  it.each([
    '[sudo] password for alice: ',
    'Password:',
    'alice@db.example.com\'s password: ',
    "Enter passphrase for key '/home/a/.ssh/id_ed25519': ",
    'Password for user postgres: ',
    'Enter PEM pass phrase:',
    'Verification code: ',
    'Enter password: ',
    'last login\r\n\x1b[1mPassword:\x1b[0m ',
  ])('recognises %j', (out) => {
    expect(endsWithPasswordPrompt(`$ sudo -i\r\n${out}`)).toBe(true);
  });

  it.each(['$ ', 'password changed successfully\r\n$ ', 'Passwords: see the vault docs\r\nnext line', 'cat passwords.txt\r\n'])('ignores %j', (out) => {
    expect(endsWithPasswordPrompt(out)).toBe(false);
  });

  it('withholds the answer up to the line end, keystroke by keystroke', () => {
    expect(withholdPromptInput('h')).toEqual({ text: INPUT_WITHHELD, done: false });
    expect(withholdPromptInput('unter2\r')).toEqual({ text: `${INPUT_WITHHELD}\r`, done: true });
    expect(withholdPromptInput('\r')).toEqual({ text: '\r', done: true });
    expect(withholdPromptInput('pw\rls -l\r')).toEqual({ text: `${INPUT_WITHHELD}\rls -l\r`, done: true });
    expect(withholdPromptInput('')).toEqual({ text: '', done: false });
  });

  it('a long adversarial tail is bounded', { timeout: 5_000 }, () => {
    expect(endsWithPasswordPrompt('password '.repeat(20_000))).toBe(false);
    expect(endsWithPasswordPrompt('\x1b['.repeat(50_000))).toBe(false);
  });
});
