export * from './sqlite-read-db.js';
export * from './postgres-read-db.js';
