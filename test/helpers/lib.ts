// The public API plus the typed raw addon (for layouts), in one import for the tests.
export * from '../../lib';
export { binding } from '../../lib/binding';
