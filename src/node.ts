export * from './index.js';
export { createFileStore } from './stores/file-store.js';
