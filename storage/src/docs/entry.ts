// What a docs node needs of storage (`@preau/storage/docs`): its documents'
// tables, the database and the cross-node fan-out, without the object storage
// clients, the archive and the rest of Préau that `@preau/storage` loads
// (about 70 MB of a docs node's memory before any document was open).
export * from '../db/Database';
export * from '../fanout/Fanout';
export * from './index';
