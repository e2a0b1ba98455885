// The size of a child's pipe (src/supervisor/pipe-budget.ts): 1 MiB where
// the kernel's per-user limits do not bind, else grown only within the
// daemon's share of fs.pipe-user-pages-soft, and the default once it is spent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PIPE_BUDGET_SHARE,
  PIPE_DEFAULT_PAGES,
  type PipeLimits,
  type PipeSysctls,
  pipeLimitsOf,
  pipePages,
  pipeRequest,
} from '../../src/supervisor/pipe-budget';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The kernel's defaults. */
const SYSCTLS: PipeSysctls = { maxSize: MiB, userPagesSoft: 16384, userPagesHard: 0 };
const CAP_SYS_ADMIN = 1n << 21n;
const CAP_SYS_RESOURCE = 1n << 24n;
const ROOT_CAPS = 0x1ffffffffffn;

describe('pipeLimitsOf: which limits bind a process', () => {
  const cases: [what: string, sysctls: PipeSysctls, caps: bigint, want: Omit<PipeLimits, 'pageSize'>][] = [
    ['no capabilities: pipe-max-size and the soft limit', SYSCTLS, 0n, { maxBytes: MiB, userPages: 16384 }],
    ['root: neither', SYSCTLS, ROOT_CAPS, { maxBytes: Infinity, userPages: Infinity }],
    ['CAP_SYS_RESOURCE alone: neither', SYSCTLS, CAP_SYS_RESOURCE, { maxBytes: Infinity, userPages: Infinity }],
    ['CAP_SYS_ADMIN alone: pipe-max-size still', SYSCTLS, CAP_SYS_ADMIN, { maxBytes: MiB, userPages: Infinity }],
    ['a hard limit below the soft one binds first', { ...SYSCTLS, userPagesHard: 8000 }, 0n, { maxBytes: MiB, userPages: 8000 }],
    ['soft limit off (0), hard set', { ...SYSCTLS, userPagesSoft: 0, userPagesHard: 5000 }, 0n, { maxBytes: MiB, userPages: 5000 }],
    ['both off', { ...SYSCTLS, userPagesSoft: 0 }, 0n, { maxBytes: MiB, userPages: Infinity }],
  ];
  for (const [what, sysctls, caps, want] of cases) {
    it(what, () => assert.deepEqual(pipeLimitsOf(sysctls, caps, 4096), { pageSize: 4096, ...want }));
  }
});

describe('pipeRequest: the capacity asked for one new pipe', () => {
  const unprivileged = pipeLimitsOf(SYSCTLS, 0n, 4096);
  const share = 16384 * PIPE_BUDGET_SHARE;
  const cases: [what: string, limits: PipeLimits, held: number, want: number][] = [
    ['root: 1 MiB', pipeLimitsOf(SYSCTLS, ROOT_CAPS, 4096), 0, MiB],
    ['root: 1 MiB however many pages it holds', pipeLimitsOf(SYSCTLS, ROOT_CAPS, 4096), 10 * 16384, MiB],
    ['unprivileged, nothing held: 1 MiB', unprivileged, 0, MiB],
    ['unprivileged, 1 MiB left in the share: 1 MiB', unprivileged, share - 256, MiB],
    ['unprivileged, a page less: the next power of two down', unprivileged, share - 255, 512 * KiB],
    ['unprivileged, a default pipe\'s room left: the default', unprivileged, share - PIPE_DEFAULT_PAGES, 0],
    ['unprivileged, the share spent: the default', unprivileged, share + 1000, 0],
    ['pipe-max-size 256 KiB: no more', pipeLimitsOf({ ...SYSCTLS, maxSize: 256 * KiB }, 0n, 4096), 0, 256 * KiB],
    ['pipe-max-size not a power of two: rounded down', pipeLimitsOf({ ...SYSCTLS, maxSize: 200_000 }, 0n, 4096), 0, 128 * KiB],
    ['pipe-max-size below the default: the default', pipeLimitsOf({ ...SYSCTLS, maxSize: 16 * KiB }, 0n, 4096), 0, 0],
    ['16 KiB pages: 1 MiB is 64 pages', pipeLimitsOf(SYSCTLS, 0n, 16 * KiB), 0, MiB],
    ['64 KiB pages: the default already is 1 MiB', pipeLimitsOf(SYSCTLS, 0n, 64 * KiB), 0, 0],
  ];
  for (const [what, limits, held, want] of cases) {
    it(what, () => assert.equal(pipeRequest(limits, held), want));
  }
});

describe('the budget over a start wave', () => {
  /** Makes `count` pipes one after another, holding all; returns each one's pages. */
  function wave(limits: PipeLimits, count: number, heldBefore = 0): number[] {
    let held = heldBefore;
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const asked = pipeRequest(limits, held);
      const pages = asked === 0 ? PIPE_DEFAULT_PAGES : pipePages(asked, limits.pageSize);
      sizes.push(pages);
      held += pages;
    }
    return sizes;
  }

  it('unprivileged, 100 programs: grown pipes never take the daemon past its share; the rest are default, none smaller', () => {
    const limits = pipeLimitsOf(SYSCTLS, 0n, 4096);
    const sizes = wave(limits, 200);
    let held = 0;
    for (const pages of sizes) {
      if (pages > PIPE_DEFAULT_PAGES) assert.ok(held + pages <= 16384 * PIPE_BUDGET_SHARE, `grew past the share at ${held} pages`);
      assert.ok(pages >= PIPE_DEFAULT_PAGES);
      held += pages;
    }
    assert.equal(sizes.filter((p) => p === 256).length, 32, 'half of 16384 pages is 32 pipes of 1 MiB');
    assert.equal(held, 32 * 256 + 168 * PIPE_DEFAULT_PAGES);
  });

  it('pages given back (pipes closed) are granted again', () => {
    const limits = pipeLimitsOf(SYSCTLS, 0n, 4096);
    const full = 16384 * PIPE_BUDGET_SHARE;
    assert.equal(pipeRequest(limits, full), 0);
    assert.equal(pipeRequest(limits, full - 256), MiB);
  });

  it('root, 100 programs: every pipe 1 MiB', () => {
    assert.deepEqual(wave(pipeLimitsOf(SYSCTLS, ROOT_CAPS, 4096), 200), Array(200).fill(256));
  });
});

it('pipePages: what the kernel counts for a pipe of that many bytes', () => {
  assert.equal(pipePages(64 * KiB, 4096), 16);
  assert.equal(pipePages(MiB, 4096), 256);
  assert.equal(pipePages(MiB, 64 * KiB), 16);
});
