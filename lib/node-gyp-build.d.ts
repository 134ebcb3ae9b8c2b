// node-gyp-build ships no types: it loads the addon for the package rooted at `dir`.
declare module 'node-gyp-build' {
  function load(dir: string): unknown;
  namespace load {
    /** The file load(dir) would load: build/Release/<name>.node or a matching prebuild. */
    function path(dir: string): string;
  }
  export = load;
}
