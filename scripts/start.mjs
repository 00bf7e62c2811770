// `npm start`: build if needed, then run the composition root.
import { buildIfNeeded } from './build-if-needed.mjs';

buildIfNeeded();
await import('../dist/bot/main.js');
