/*
 * SaslHandshake Request (Version: 0) => mechanism STRING
 * SaslHandshake Response (Version: 0) => error_code INT16, [enabled_mechanisms STRING]
 *   The layout is v1's. What differs is what follows a successful v0 handshake: the SASL tokens
 *   travel RAW, each framed only by an INT32 length (no request header, no SaslAuthenticate), and
 *   the broker answers each with a length-framed token. A failed exchange closes the connection,
 *   because a raw token has no field to carry an error. kafka-python 2.x authenticates this way.
 */
export { decode, encode, type SaslHandshakeResponse } from './v1';
