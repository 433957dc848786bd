// Browser-safe: pure functions on Yjs documents, shared by the server, the
// web app (history, restore) and the archive (documents rebuilt from traces).
export * from './parts';
export * from './renderBoardSvg';
export * from './renderPadHtml';
export * from './revert';
