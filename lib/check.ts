// The one argument-check layer of the TypeScript side (DESIGN.md "One argument-check
// layer"). native/args.h is its twin for the addon: the same mistake gets the same error —
// class, `code` and wording — whichever side catches it.
//
//   TypeError  ERR_INVALID_ARG_TYPE  "fn: param must be <what>, got <value>"
//   RangeError ERR_OUT_OF_RANGE      "fn: param must be an integer in [min, max], got <value>"
//                                    (other range messages: "fn: <text>")
//   TypeError  ERR_MISSING_ARGS      "fn: missing argument 'param' (takes N to M arguments, got K)"
//   TypeError  ERR_TOO_MANY_ARGS     "fn: takes at most M arguments, got K"
//
// Node has no code for too many arguments (its own functions ignore extras); a C call with
// extra arguments does not compile and CPython rejects it, so sockfd throws, under a code
// in Node's style.
//
// Nothing here reads a property of a caller's object that could run a getter: describe()
// looks only at typeof and Array.isArray.

import { types } from 'node:util';

/** An Error with Node's `code` property, as node:internal/errors builds them. */
type CodedError = Error & { code: string };

function coded<E extends Error>(e: E, code: string): E & { code: string } {
  Object.defineProperty(e, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return e as E & { code: string };
}

/**
 * A short description of a value for an error message, the same text native/args.h's
 * Describe() gives: "3.5", "NaN", "-Infinity", "string 'ab'", "undefined", "null",
 * "boolean", "bigint", "symbol", "function", "array", "object".
 */
export function describe(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'string': {
      // Native copies at most 23 bytes; 20 characters keeps the two texts alike for ASCII.
      return `string '${v.length > 20 ? v.slice(0, 20) + '...' : v}'`;
    }
    case 'undefined':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'function':
      return typeof v;
    default:
      if (v === null) return 'null';
      try {
        return Array.isArray(v) ? 'array' : 'object';
      } catch {
        return 'object'; // a revoked Proxy: Array.isArray throws on it (native says 'object' too)
      }
  }
}

/** TypeError ERR_INVALID_ARG_TYPE: "fn: param must be <what>, got <describe(v)>". */
export function invalidType(fn: string, param: string, what: string, v: unknown): TypeError & CodedError {
  return coded(new TypeError(`${fn}: ${param} must be ${what}, got ${describe(v)}`), 'ERR_INVALID_ARG_TYPE');
}

/**
 * TypeError ERR_ILLEGAL_CONSTRUCTOR (Node's code for `new` on a class that cannot be
 * constructed directly): the abstract Struct and Sockaddr bases.
 */
export function illegalConstructor(name: string): TypeError & CodedError {
  return coded(new TypeError(`${name}: an abstract base class; construct a concrete struct`), 'ERR_ILLEGAL_CONSTRUCTOR');
}

/** RangeError ERR_OUT_OF_RANGE with the message "fn: text". */
export function outOfRange(fn: string, text: string): RangeError & CodedError {
  return coded(new RangeError(`${fn}: ${text}`), 'ERR_OUT_OF_RANGE');
}

/** Throws unless `v` is an integer number in [min, max]; returns it. No coercion. */
export function checkInt(fn: string, param: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw invalidType(fn, param, 'an integer', v);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw outOfRange(fn, `${param} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** A file descriptor: an integer in [0, 2**31 - 1]. */
export function checkFd(fn: string, param: string, v: unknown): number {
  return checkInt(fn, param, v, 0, 0x7fffffff);
}

/**
 * A flags word: any int32 or uint32 bit pattern (JS `|` makes a word with bit 31 set
 * negative), as native GetFlags accepts. Returns it unchanged.
 */
export function checkFlags(fn: string, param: string, v: unknown): number {
  return checkInt(fn, param, v, -0x80000000, 0xffffffff);
}

/**
 * Throws unless a function taking the parameters `params` (the first `min` required) was
 * called with between `min` and `params.length` arguments. Pass `arguments.length`.
 */
export function checkArgc(fn: string, argc: number, min: number, params: readonly string[]): void {
  const max = params.length;
  if (argc >= min && argc <= max) return;
  const takes = min === max ? `${max}` : `${min} to ${max}`;
  if (argc < min) {
    throw coded(
      new TypeError(`${fn}: missing argument '${params[argc]}' (takes ${takes} arguments, got ${argc})`),
      'ERR_MISSING_ARGS',
    );
  }
  throw coded(new TypeError(`${fn}: takes at most ${max} arguments, got ${argc}`), 'ERR_TOO_MANY_ARGS');
}

/** True for an ArrayBuffer that was detached (transferred or structuredClone'd away). */
export function isDetached(ab: ArrayBufferLike): boolean {
  if (ab.byteLength !== 0) return false;
  try {
    // A view over a detached buffer cannot be made; over an empty live one it can.
    new Uint8Array(ab as ArrayBuffer);
    return false;
  } catch {
    return true;
  }
}

const BYTES = 'an ArrayBufferView or ArrayBuffer';

/** TypeError ERR_INVALID_ARG_TYPE for a detached buffer (native/args.h says the same). */
export function detached(fn: string, param: string): TypeError & CodedError {
  return coded(new TypeError(`${fn}: ${param} must be ${BYTES}, got a detached buffer`), 'ERR_INVALID_ARG_TYPE');
}

/**
 * Throws unless `v` is memory the addon can use: an ArrayBufferView (TypedArray, Buffer,
 * DataView) or an ArrayBuffer, not detached. A detached buffer is a TypeError rather than 0
 * bytes, so recv() on it can never read as end of file.
 */
export function checkBytes(fn: string, param: string, v: unknown): ArrayBufferView | ArrayBuffer {
  if (ArrayBuffer.isView(v)) {
    let n: number;
    try {
      n = v.byteLength; // a DataView's byteLength throws once its buffer is detached
    } catch {
      throw detached(fn, param);
    }
    if (n === 0 && isDetached(v.buffer)) throw detached(fn, param);
    return v;
  }
  // types.isArrayBuffer, not instanceof: instanceof throws on a revoked Proxy.
  if (types.isArrayBuffer(v)) {
    if (isDetached(v)) throw detached(fn, param);
    return v;
  }
  throw invalidType(fn, param, BYTES, v);
}

/**
 * Checks the byte range (len, offset) of a buffer already passed through checkBytes, as
 * native GetSpan does and with its messages: offset defaults to 0, len to the bytes after
 * offset; both must stay inside the buffer. Returns len.
 */
export function checkSpan(fn: string, buf: ArrayBufferView | ArrayBuffer, len: unknown, offset: unknown): number {
  const size = buf.byteLength;
  const off = offset === undefined ? 0 : checkInt(fn, 'offset', offset, 0, Number.MAX_SAFE_INTEGER);
  if (off > size) throw outOfRange(fn, `offset ${off} is past the end of the ${size}-byte buffer`);
  const room = size - off;
  const n = len === undefined ? room : checkInt(fn, 'len', len, 0, Number.MAX_SAFE_INTEGER);
  if (n > room) throw outOfRange(fn, `len ${n} exceeds the ${room} bytes of buf after offset ${off}`);
  return n;
}
