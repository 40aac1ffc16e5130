/**
 * `node --import ./scripts/trace-modules.js …` with COALMINE_TRACE_MODULES=FILE: appends to FILE,
 * as they load, the path of every module file the process loads: ESM resolutions through a
 * module.register hook, CommonJS requires (createRequire included) through Module's require;
 * and, as `node:NAME` lines, Node's own modules as they appear in `process.moduleLoadList` (its
 * bundled fetch, `internal/deps/undici/undici`, loads lazily on first use of a Web global, not
 * through either hook; the list is polled every 20 ms).
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
  let seen = 0;
  const builtins = () => {
    const list = process.moduleLoadList;
    const fresh = list.slice(seen).filter((e) => e.startsWith('NativeModule '));
    seen = list.length;
    if (fresh.length) appendFileSync(out, fresh.map((e) => `node:${e.slice(13)}\n`).join(''));
  };
  builtins();
  setInterval(builtins, 20).unref();
}
