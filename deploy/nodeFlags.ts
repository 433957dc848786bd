/**
 * Node's own flags for the processes that hold documents: the docs nodes,
 * and the one-port server of `./preau start`, which hosts the documents (and
 * PGlite) in its process: V8's garbage-collector sizing and how it compiles
 * WebAssembly, nothing else changes (their environment, below, sizes the C
 * allocator):
 *
 * - `--max-semi-space-size=8`: the young generation stays at 8 MB per
 *   semi-space instead of growing to tens of megabytes under a typing load;
 * - `--heap-growing-percent=50`: after a full collection the old generation
 *   may grow by half of what is alive before the next one, instead of a
 *   factor V8 picks up to 4 when the collector is fast.
 *
 * A docs server's live data at 30 pads × 30 editors is about 75 MB (heap
 * snapshot mid-typing); without these flags V8 let its heap reach 250 to
 * 300 MB of mostly garbage, and the process 620 to 700 MB with PGlite
 * (load-tests/README.md, "Memory of a docs server"). Neither flag bounds
 * the heap: a server with more documents open grows as needed. Smaller
 * sizes (4 MB, 20 %) hold about as little memory but cost a fifth more CPU
 * per keystroke: objects still in flight (an update waiting for its commit)
 * outlive a young generation that small and are collected again as old ones
 * (load-tests/README.md, "The collector's sizing again").
 *
 * - `--wasm-num-compilation-tasks=1`: V8 compiles PGlite's WebAssembly for
 *   speed one function at a time in the background, instead of several at
 *   once, each with its own working memory that the allocator then kept:
 *   at ten pads of five pupils on PGlite the process held 271–278 MB while
 *   typing instead of 312–313, the CPU per keystroke the same, the first
 *   opening of a long pad within this machine's noise (load-tests/README.md,
 *   "The allocator's thresholds and PGlite's compiling").
 *
 * `--heap-growing-percent` is not allowed in `NODE_OPTIONS`: the flags go on
 * the command line (`./preau start`, the local cluster, the benchmarks).
 */
export const DOCUMENT_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--heap-growing-percent=50',
  '--wasm-num-compilation-tasks=1',
];

/**
 * The environment the same processes start with (a setting the operator's
 * own environment already has is kept), sizing the C library's allocator:
 *
 * - `MALLOC_ARENA_MAX=2`: the allocator gives each thread that allocates an
 *   arena of its own (up to eight per core), and each keeps what was freed
 *   in it; a docs server has V8's helper threads, libuv's and PGlite's
 *   besides its main thread. At ten pads of five pupils on PGlite, the
 *   process held 329–345 MB with the default arenas, 294 with two, 290–292
 *   with one; at 30 pads × 30 editors 502 against 437 MB
 *   (load-tests/README.md, "Fewer commits, fewer arenas"). The V8 thread
 *   pool's size would do the same (`--v8-pool-size=1`) but slows a fresh
 *   process's compiling: its first opening took longer.
 * - `MALLOC_TRIM_THRESHOLD_=131072`: free memory at the end of an arena
 *   goes back to the system once it passes 128 kB, and blocks over 128 kB
 *   are pages of their own, returned when freed. By default both thresholds
 *   rise with the largest block freed (up to 64 and 32 MB): after a start
 *   (PGlite's compiling) or a long pad's opening, the arenas kept tens of
 *   megabytes nobody used, more or less from one run to the next. At ten
 *   pads of five pupils on PGlite the process held 218–228 MB while typing
 *   instead of 254–289, the CPU per keystroke and the first opening of a
 *   long pad the same within this machine's noise (load-tests/README.md,
 *   "The allocator giving back what is freed").
 */
export const DOCUMENT_NODE_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/**
 * The flags to start an entry point with (`main`: its path, from the
 * repository's root or absolute): the one place that says which processes
 * get which, for the cluster, the test services and the benchmarks.
 */
export function nodeFlagsFor(main: string): readonly string[] {
  return main.endsWith('docs-server/src/main.ts') ? DOCUMENT_NODE_FLAGS : [];
}

/** The environment to start an entry point with, under the operator's own (see `nodeFlagsFor`). */
export function nodeEnvFor(main: string): Readonly<Record<string, string>> {
  return nodeFlagsFor(main) === DOCUMENT_NODE_FLAGS ? DOCUMENT_NODE_ENV : {};
}
