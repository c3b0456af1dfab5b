// Arbitraries of the public API's hostile-input tests: what every public POST must refuse, whatever its route.
import fc from 'fast-check';

/** Any JSON value, a few levels deep. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });
/** A value that is not a string, where a string is expected. */
export const wrongForString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyJson, { maxLength: 3 }), fc.dictionary(fc.string(), anyJson, { maxKeys: 3 }));
/** A control character other than tab and line breaks. */
export const controlChar = fc.constantFrom(...[...Array(32).keys(), 127].filter((c) => c !== 9 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c)));
/** A key that would pollute an object's prototype. */
export const pollutingKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
/** A content type other than JSON (415), or none. */
export const wrongMediaType = fc.oneof(
  fc.constantFrom(undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/jsonp', 'application/ld+json', 'json', ''),
  fc.string({ maxLength: 40 }).filter((s) => !/^\s*application\/json\s*(;|$)/i.test(s)),
);
