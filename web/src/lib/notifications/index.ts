// The live notifications' state and stream, reachable as `#lib/notifications/index`
// (a `.svelte.ts` file cannot be named through the `#lib/*.svelte` import).
export * from './store.svelte';
