/**
 * Which build this is. The library's build (rollup.config.mjs) replaces
 * `RESILIENT_EVENTSOURCE_DEV` with `true` in the development files and with
 * `false` in the production ones, so that bundlers drop what only development
 * needs: did-you-mean for a misspelt option, the value a refused option had,
 * hints on how to fix a mistake. Bundlers pick the development files through
 * the `development` export condition (Vite and webpack set it in development;
 * see docs/api.md, "Distribution"). Run from source (tests, tsx), the name is
 * not defined, and this is the development build.
 */
declare const RESILIENT_EVENTSOURCE_DEV: boolean | undefined;

/** True in the development build (and from source), false in production. */
export const development: boolean = typeof RESILIENT_EVENTSOURCE_DEV === 'boolean' ? RESILIENT_EVENTSOURCE_DEV : true;
