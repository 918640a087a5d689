import { chmodSync, closeSync, openSync } from 'node:fs';

/**
 * Makes a SQLite database file readable and writable by its owner only (0600), creating it if need
 * be, before SQLite opens it (decision 027). SQLite creates the `-wal` and `-shm` files with the
 * database file's own permissions, so they follow; any left by an earlier, looser start are fixed
 * here too. The mode is set with chmod, not left to the umask, which could only ever remove bits.
 * The read store's SQLite files use it too.
 */
export function restrictToOwner(filename: string): void {
  if (filename === '' || filename === ':memory:' || filename.startsWith('file:')) return;
  closeSync(openSync(filename, 'a', 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
