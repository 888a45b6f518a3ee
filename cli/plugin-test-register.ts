// Loaded with `node --import` by `weft plugin test`: registers the resolve hook in plugin-test-resolve.ts.
import { register } from 'node:module';

register('./plugin-test-resolve.js', import.meta.url);
