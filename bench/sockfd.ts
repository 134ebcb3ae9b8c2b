// What the benchmarks drive: the package's public API, imported from the package root
// (package.json "main", i.e. dist/index) as any user script would, and the C loops of
// sockfd_bench.so (bench/native.ts), which are deliberately not part of the package's addon.
export * from '..';
export { native } from './native';
