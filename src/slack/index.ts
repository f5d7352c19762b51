/**
 * breachline's Slack adapter: the Bolt app (commands and interactions in) and the conversation
 * port (messages out). The only code that imports the Slack SDKs; nothing here knows the sandbox.
 */
export { createSlackApp, HEALTH_PATH, SLACK_EVENTS_PATH, type SlackAppHandle, type SlackAppOptions } from './app';
export type {
  ConversationPort,
  EphemeralMessage,
  IncidentChannel,
  IncidentChannelSpec,
  IncidentMessage,
  MessageBlock,
  MessageContent,
  MessageRef,
} from './conversation-port';
export { normaliseChannelName } from './conversation-port';
export { ConversationError, type ConversationErrorKind } from './errors';
export { ReplayGuard, type ReplayGuardOptions } from '../security/replay-guard';
export { verifySlackSignature, type SlackRequestToVerify, type VerificationResult } from './request-verification';
export { createWebConversationPort, WebConversationPort, type WebConversationPortOptions } from './web-conversation-port';
export { DEFAULT_RETRY } from './web-client';
