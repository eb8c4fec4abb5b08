/** `node --import bench/dist/module-trace.js ...`: registers the hooks that list the packages a process loads. */
import { register } from 'node:module';

register('./module-trace-hooks.js', import.meta.url);
