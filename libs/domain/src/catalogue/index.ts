export * from './catalogue.events.js';
export * from './catalogue.commands.js';
export * from './catalogue.state.js';
export * from './catalogue.decide.js';
export * from './disclosure.js';
export * from './location.js';
export * from './matching.js';
export * from './catalogue-webhook.js';
