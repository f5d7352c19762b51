export { CredentialStore, ScramCredentialError, DEFAULT_SCRAM_ITERATIONS, type ScramMechanism, type StoredScramCredential } from './credentials';
export { SASL_MECHANISMS, SaslAuthenticationError, createSaslExchange, type SaslExchange, type SaslExchangeOptions, type SaslFailureReason } from './sasl';
export {
  AclOperation,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  ResourceType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  aclFilterMatches,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
  validateAclBinding,
  validateAclFilter,
  type AclBinding,
  type AclBindingFilter,
} from './acl';
export { Authorizer, normalizeHost, type AclCreateResult, type AclDeleteResult, type AuthorizationRequest, type AuthorizerOptions } from './authorizer';
export { AccessLog, type AccessLogFilter, type AccessLogOptions, type AccessRecord } from './access-log';
export {
  alterScramCredentials,
  describeScramCredentials,
  type ScramAlterRequest,
  type ScramDescribeResult,
  type ScramUserResult,
} from './scram-api';
export { SECURITY_ERRORS } from './errors';
export { validateBearerToken, type OAuthBearerValidation } from './oauthbearer';
