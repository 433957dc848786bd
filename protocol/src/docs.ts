// Wire schemas of documents: pads and boards, document ids, history API.
// Filled by the docs work; kept in its own file so features do not collide.
export {};
