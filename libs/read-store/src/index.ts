export * from './sqlite-read-db.js';
