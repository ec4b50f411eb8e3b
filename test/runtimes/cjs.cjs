// CommonJS, as a Node or Bun app that still uses require() loads the package.
const { ResilientEventSource } = require('resilient-eventsource');
const { createFileStore } = require('resilient-eventsource/node');

void import('./client.mjs').then(({ run }) => run({ ResilientEventSource, createFileStore, how: 'cjs' }));
