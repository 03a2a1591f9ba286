// The `bootlog` language contribution: which files it claims (by name and by first line).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGE_ID, LANGUAGE_NAME } from '../../src/extension/ids';

interface LanguageContribution {
  id: string;
  aliases: string[];
  filenames?: string[];
  filenamePatterns?: string[];
  extensions?: string[];
  firstLine?: string;
  configuration?: string;
}

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lang: LanguageContribution = pkg.contributes.languages.find((l: LanguageContribution) => l.id === LANGUAGE_ID);

/** VS Code's basename glob subset used here: `*` within a name, literal dots. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

function claims(name: string): boolean {
  if (lang.filenames?.includes(name)) return true;
  if (lang.extensions?.some((e) => name.endsWith(e))) return true;
  return lang.filenamePatterns?.some((p) => globToRegExp(p).test(name)) ?? false;
}

describe('bootlog language contribution', () => {
  it('is declared with its display name, configuration and grammar', () => {
    expect(lang).toBeDefined();
    expect(lang.aliases[0]).toBe(LANGUAGE_NAME);
    expect(JSON.parse(readFileSync(join(root, lang.configuration!), 'utf8'))).toHaveProperty('brackets');
  });

  it('claims dmesg-like file names', () => {
    for (const name of ['dmesg', 'dmesg.txt', 'dmesg-boot1.txt', 'dmesg.log', 'host1-dmesg.txt', 'crash.dmesg', 'kern.log', 'kern.log.1', 'boot.kmsg']) {
      expect(claims(name), name).toBe(true);
    }
  });

  it('never claims generic log or text names', () => {
    for (const name of ['app.log', 'console.log', 'build.log', 'notes.txt', 'syslog', 'dmesg.c', 'messages']) {
      expect(claims(name), name).toBe(false);
    }
    for (const p of [...(lang.filenamePatterns ?? []), ...(lang.extensions ?? [])]) {
      expect(['*.log', '*.txt', '.log', '.txt', '**/*.log']).not.toContain(p);
    }
  });

  describe('firstLine', () => {
    const re = new RegExp(lang.firstLine!);
    it.each([
      '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)',
      '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd070]',
      '[    0.000000] Command line: console=ttyS0',
      '<6>[    0.000000] Linux version 5.15.0',
      '<5>Linux version 2.6.32-5-amd64 (Debian 2.6.32-48)',
      'Linux version 4.19.0 (builder@host) (gcc version 8.3.0)',
      'Booting Linux on physical CPU 0x0',
      '[Mon Nov 23 14:00:01 2026] Linux version 6.1.0-56-amd64',
      'Nov 23 14:00:01 buildhost kernel: [    0.000000] Linux version 6.1.0',
      'Nov 23 14:00:01 buildhost kernel: Linux version 6.1.0',
    ])('matches a kernel first line: %s', (line) => {
      expect(re.test(line)).toBe(true);
    });

    it.each([
      '2026-11-23 14:00:01,123 INFO  [main] app.Server - starting',
      'Starting nginx...',
      '[INFO] Building project',
      '[   12.345678] usb 1-1: new high-speed USB device',
      'Linux version control is great',
      '',
    ])('does not match: %s', (line) => {
      expect(re.test(line)).toBe(false);
    });
  });
});
