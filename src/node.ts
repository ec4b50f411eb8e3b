export * from './index.js';
export { createFileStore } from './persistence/stores/file-store.js';
