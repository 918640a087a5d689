export * from './csv-bytes.js';
export * from './error-report.js';
export * from './import-columns.js';
export * from './import-file.js';
export * from './kilograms.js';
export * from './local-dates.js';
