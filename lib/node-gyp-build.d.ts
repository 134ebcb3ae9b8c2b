// node-gyp-build ships no types: it loads the addon for the package rooted at `dir`.
declare module 'node-gyp-build' {
  function load(dir: string): unknown;
  export = load;
}
