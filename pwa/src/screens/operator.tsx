// The operator's screens past the home screen, in one chunk of their own: the login screen
// (every first visit) loads none of them (DESIGN §6), and the service worker precaches the
// chunk, so each one opens offline (screens/lazy.tsx loads it; vite.config.ts keeps it in).
export { Detail, List } from './list';
export { Outbox } from './outbox';
export { NewRequest } from './request';
export { Worklist } from './sasaran';
export { Settings } from './settings';
