/**
 * For the browser project: a reference server in Node that browser tests reach
 * cross-origin (it answers CORS), provided to them as `inject('sseUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { createSseServer } from '../../server/sse-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await createSseServer({ retry: 50, heartbeatInterval: 0, publishInterval: 20 });
  project.provide('sseUrl', server.url);
  return () => server.close();
}
