// Wire schemas of the trace archive: segments, manifests, cases, holds, exports.
// Filled by the archive work; kept in its own file so features do not collide.
export {};
