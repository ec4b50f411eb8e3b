/**
 * The `<script>` entry: the bundle's single export is the class, which the UMD
 * wrapper assigns to `window.ResilientEventSource`. The helpers ride along as
 * static properties for pages without a bundler.
 */
import { OpenEvent, ReconnectingEvent, StreamError, StreamErrorEvent } from './contract/events.js';
import { ResilientEventSource } from './source/event-source.js';
import { createIndexedDbStore } from './persistence/stores/indexeddb-store.js';
import { createMemoryStore } from './persistence/stores/memory-store.js';

export default Object.assign(ResilientEventSource, {
  createMemoryStore,
  createIndexedDbStore,
  StreamErrorEvent,
  ReconnectingEvent,
  OpenEvent,
  StreamError,
});
