import type { SshProfile } from './profile-schema.js';

/** Read-only inspection commands; everything else is refused under ssh-readonly-commands. */
const READ_ONLY_COMMANDS = [
  'ls', 'll', 'cat', 'head', 'tail', 'less', 'more', 'grep', 'egrep', 'fgrep', 'zgrep', 'zcat', 'wc', 'stat', 'file', 'tree',
  'find', 'locate', 'which', 'type', 'whereis', 'readlink', 'realpath', 'basename', 'dirname', 'pwd', 'cd', 'echo', 'printf',
  'true', 'false', 'test', '[', 'sort', 'uniq', 'cut', 'tr', 'column', 'diff', 'cmp', 'md5sum', 'sha1sum', 'sha256sum', 'jq',
  'date', 'uptime', 'uname', 'hostname', 'id', 'whoami', 'groups', 'who', 'w', 'last', 'env', 'printenv', 'locale',
  'ps', 'top', 'htop', 'pgrep', 'free', 'vmstat', 'iostat', 'df', 'du', 'lsblk', 'mount', 'dmesg', 'lsof', 'ss', 'netstat',
  'ip addr*', 'ip a', 'ip route*', 'ip r', 'ip link show*', 'ping', 'dig', 'nslookup', 'host', 'getent',
  'journalctl', 'systemctl status*', 'systemctl show*', 'systemctl list-*', 'systemctl is-*', 'systemctl cat*',
  'docker ps*', 'docker logs*', 'docker inspect*', 'docker images*', 'docker stats*',
  'kubectl get*', 'kubectl describe*', 'kubectl logs*', 'kubectl top*',
  'git status*', 'git log*', 'git diff*', 'git show*', 'git branch', 'clear', 'history', 'exit', 'logout',
];

/** Destructive or availability-affecting commands, refused under ssh-no-destructive. */
const DESTRUCTIVE_COMMANDS = [
  'rm -*[rR]*', 'rm --recursive', 'rm -*f*', 'rm --force', 'rmdir --ignore-fail-on-non-empty', 'shred', 'wipefs', 'mkfs', 'mkfs.*', 'mke2fs',
  'fdisk', 'sfdisk', 'parted', 'gdisk', 'dd of=*', 'truncate', 'blkdiscard', 'find -delete',
  'shutdown', 'reboot', 'halt', 'poweroff', 'init 0', 'init 6', 'telinit 0', 'telinit 6',
  'systemctl stop*', 'systemctl disable*', 'systemctl mask*', 'systemctl poweroff', 'systemctl reboot', 'systemctl halt', 'systemctl kill*',
  'kill -9 1', 'kill -KILL 1', 'killall5', 'pkill -9*',
  'chmod -R*', 'chmod --recursive*', 'chown -R*', 'chown --recursive*', 'chgrp -R*',
  'crontab -r', 'userdel', 'groupdel', 'passwd', 'iptables -F', 'iptables --flush', 'nft flush*',
  'docker rm*', 'docker rmi*', 'docker system prune*', 'docker volume rm*', 'kubectl delete*',
  'git push --force*', 'git push -f*', 'git reset --hard*', 'git clean*',
];

/** Built-in SSH guardrail profiles; grants may name them without defining them. */
export const BUILTIN_SSH_PROFILES: Readonly<Record<string, SshProfile>> = {
  'ssh-no-forwarding': {
    protocol: 'ssh',
    description: 'no port forwarding in either direction (agent and X11 forwarding are always refused)',
    forwarding: { local: [], remote: [] },
  },
  'ssh-readonly-commands': {
    protocol: 'ssh',
    description: 'only read-only inspection commands; sftp reads only; no forwarding; no file writes by redirection',
    sftp: 'read-only',
    forwarding: { local: [], remote: [] },
    commands: { allow: READ_ONLY_COMMANDS, deny: ['find -delete', 'find -fprint*', 'find -fls', 'find -exec*', 'find -ok*'], denyFileWrites: true },
    opaqueCommands: 'deny',
    unknownLines: 'deny',
  },
  'ssh-no-destructive': {
    protocol: 'ssh',
    description: 'refuses recursive or forced deletes, disk tools, shutdowns, service stops, recursive permission changes; sftp without deletes',
    sftp: 'no-delete',
    commands: { deny: DESTRUCTIVE_COMMANDS },
    opaqueCommands: 'deny',
    unknownLines: 'judge-visible',
  },
  'ssh-no-sftp': {
    protocol: 'ssh',
    description: 'the sftp subsystem is refused',
    sftp: 'deny',
  },
  'ssh-exec-only': {
    protocol: 'ssh',
    description: 'remote commands only, no interactive shell',
    shell: 'deny',
  },
};

/** The built-in SSH profile names, for the config loader's list of known profiles. */
export const SSH_PROFILE_NAMES: readonly string[] = Object.keys(BUILTIN_SSH_PROFILES);
