// ES modules, as a Node or Bun app imports the package.
import { ResilientEventSource } from 'resilient-eventsource';
import { createFileStore } from 'resilient-eventsource/node';
import { run } from './client.mjs';

run({ ResilientEventSource, createFileStore, how: 'esm' });
