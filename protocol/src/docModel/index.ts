// The one place that knows the Yjs structure of a pad and a board: names of
// the shared types, reading and building them, merging, snapshots, erasure,
// change summaries, rendering and restore. Browser-safe, imported as
// `@preau/protocol/docs-model` by the docs server, the web app (editors,
// history, restore), storage (history rewrites, sample data) and the archive
// (documents rebuilt from traces). Not in the main entry: only code that
// handles documents pulls Yjs.
export { DOC_YJS } from '../docs';
export * from './board';
export * from './changes';
export * from './collapse';
export * from './escape';
export * from './images';
export * from './pad';
export * from './parts';
export * from './renderBoardSvg';
export * from './renderers';
export * from './renderPadHtml';
export * from './revert';
