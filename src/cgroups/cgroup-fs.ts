// The file operations the cgroup edge needs, as one small interface: the
// daemon passes the real filesystem, the unit tests the same over a temp
// directory laid out like cgroupfs (where rmdir must also remove the
// interface files the kernel would make vanish by itself).
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

export interface CgroupFs {
  /** null when the file does not exist. */
  read(path: string): string | null;
  /** Throws the kernel's refusal (EBUSY, EINVAL…) as a Node error. */
  write(path: string, text: string): void;
  exists(path: string): boolean;
  mkdir(path: string): void;
  /** The cgroup's directory; throws EBUSY while processes remain. */
  rmdir(path: string): void;
  /** Names of the child cgroups (directories) of `path`. */
  children(path: string): string[];
  chown(path: string, uid: number, gid: number): void;
}

export const osCgroupFs: CgroupFs = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  // One write(2) per call: the kernel reads a cgroup file's value from a single write.
  write: (path, text) => writeFileSync(path, text),
  exists: (path) => existsSync(path),
  mkdir: (path) => mkdirSync(path, { recursive: true }),
  rmdir: (path) => rmdirSync(path),
  children(path) {
    try {
      return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  },
  chown: (path, uid, gid) => chownSync(path, uid, gid),
};
