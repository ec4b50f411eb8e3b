// Deno, with the npm: specifier its users write. The suite runs Deno with
// --node-modules-dir=manual, so npm: resolves from the consumer's node_modules
// (here a link to this checkout) and nothing is downloaded.
import { ResilientEventSource } from 'npm:resilient-eventsource';
import { createFileStore } from 'npm:resilient-eventsource/node';
import { run } from './client.mjs';

run({ ResilientEventSource, createFileStore, how: 'npm:' });
