// The ES module build, as a bundler-free app would import it.
import { createIndexedDbStore, createMemoryStore, ResilientEventSource } from '/dist/index.js';

window.ResilientEventSource = Object.assign(ResilientEventSource, { createMemoryStore, createIndexedDbStore });
await import('./harness.js');
