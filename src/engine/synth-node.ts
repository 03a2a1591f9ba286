// Node-only: stream a synthetic log straight to a file (synchronous writes, so memory stays flat
// whatever the size). The file appears under its name only once complete.

import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { synthesizeLog, type SynthOptions, type SynthStats } from './synth';

export function synthesizeToFile(path: string, opts: SynthOptions): SynthStats {
  const partial = `${path}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  let stats: SynthStats;
  try {
    stats = synthesizeLog(opts, (chunk) => {
      writeSync(fd, chunk);
    });
  } catch (error) {
    closeSync(fd);
    unlinkSync(partial);
    throw error;
  }
  closeSync(fd);
  renameSync(partial, path);
  return stats;
}
