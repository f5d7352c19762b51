/**
 * The Kafka error codes the security modules hand back to the broker. Only the codes these
 * modules produce are listed; the broker's own table holds the rest.
 */
export const SECURITY_ERRORS = {
  NONE: 0,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  INVALID_REQUEST: 42,
  SECURITY_DISABLED: 54,
  SASL_AUTHENTICATION_FAILED: 58,
  RESOURCE_NOT_FOUND: 91,
  DUPLICATE_RESOURCE: 92,
  UNACCEPTABLE_CREDENTIAL: 93,
} as const;
