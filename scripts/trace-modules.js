/**
 * `node --import ./scripts/trace-modules.js …` with COALMINE_TRACE_MODULES=FILE: appends to FILE,
 * as they load, the path of every module file the process loads: ESM resolutions through a
 * module.register hook, CommonJS requires (createRequire included) through Module's require.
 * Used by scripts/rss-idle.js --modules and by the lazy-loading regression test.
 */
import { appendFileSync } from 'node:fs';
import Module, { isBuiltin, register } from 'node:module';
import { isAbsolute } from 'node:path';

const out = process.env.COALMINE_TRACE_MODULES;
if (out) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      import { fileURLToPath } from 'node:url';
      const out = ${JSON.stringify(out)};
      export async function resolve(specifier, context, next) {
        const r = await next(specifier, context);
        if (r.url.startsWith('file:')) appendFileSync(out, fileURLToPath(r.url) + '\\n');
        return r;
      }
    `)}`,
  );
  const require = Module.prototype.require;
  Module.prototype.require = function (id) {
    const m = require.call(this, id);
    if (!isBuiltin(id)) {
      // Module._resolveFilename: internal, but what require itself resolves with.
      const file = Module._resolveFilename(id, this);
      if (isAbsolute(file)) appendFileSync(out, `${file}\n`);
    }
    return m;
  };
}
