import type { SaslExchange } from '../security';

/** Per-connection state: who is on the other end and how far authentication got. */
export interface Session {
  readonly id: number;
  /** Client IP address (IPv4-mapped IPv6 prefixes removed). */
  readonly host: string;
  readonly port: number;
  /** `User:<name>` once SASL completed; null before. */
  principal: string | null;
  /** Mechanism chosen by SaslHandshake, awaiting SaslAuthenticate. */
  mechanism: string | null;
  exchange: SaslExchange | null;
  /**
   * Set by a successful SaslHandshake v0: the next frames are raw SASL tokens (INT32 length +
   * token, no request header) until the exchange completes.
   */
  rawSasl: boolean;
  /**
   * Wall-clock end of the authenticated session (KIP-368 `connections.max.reauth.ms`); null = no
   * limit. A request after it, other than a re-authentication, closes the connection.
   */
  expiresAt: number | null;
  /** Set when the connection must close after the current response is written. */
  closeAfterReply: boolean;
}
