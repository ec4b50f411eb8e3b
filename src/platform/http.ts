/**
 * HTTP's grammar, as far as the source needs it: one pattern, shared by the
 * option check of `method` and the reading of `Content-Type`.
 */

/** [RFC 9110] A `token`: what a method name is, and a MIME type's type and subtype ([mimesniff]). */
export const httpToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
