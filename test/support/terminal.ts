/**
 * What must never reach a terminal raw: C0 controls but tab and newline, DEL, C1, the bidi controls and the line
 * separators. The tests' own oracle, written apart from the code under test.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/u;
