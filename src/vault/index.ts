export { createVaultSecrets, type VaultSecretsOptions } from './node-vault-secrets';
export { VaultError, isVaultError, type VaultErrorKind, type VaultErrorInit } from './errors';
export type {
  CreatedToken,
  CreateTokenRequest,
  DataKey,
  SecretMetadata,
  SecretsPort,
  SecretVersion,
  TokenInfo,
  VersionState,
  WrittenVersion,
} from './port';
export { VaultSession, fileSecret, type VaultAuth, type VaultSessionOptions } from './auth';
